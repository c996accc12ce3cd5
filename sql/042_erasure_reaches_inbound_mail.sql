-- 042 erasure reaches inbound mail: erasing a customer (sql/021) clears their tickets'
-- attachments; the record of each mail they sent (sql/037's inbound_emails) listed the same
-- attachments by file name, so those lists go too. The Message-ID stays: it is the mail client's
-- id, not the customer's data, and it keeps a later redelivery of the same mail a duplicate
-- instead of a new ticket full of the erased customer's data.
CREATE FUNCTION kefu_erase_customer_inbound_mail() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE inbound_emails e SET attachments = '[]', dropped = '[]'
    FROM tickets t
    WHERE t.tenant_id = NEW.tenant_id AND t.customer_id = NEW.id AND e.tenant_id = NEW.tenant_id AND e.ticket_id = t.id
      AND (e.attachments <> '[]' OR e.dropped <> '[]');
    RETURN NEW;
END
$$;
CREATE TRIGGER customers_erase_inbound_mail AFTER UPDATE OF erased_at ON customers
    FOR EACH ROW WHEN (OLD.erased_at IS NULL AND NEW.erased_at IS NOT NULL) EXECUTE FUNCTION kefu_erase_customer_inbound_mail();
