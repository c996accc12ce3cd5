import KefuCore
import XCTest

/// The survey page's form body rule (`FormFields`), its answer (`SurveyForm`) and its HTML
/// (`SurveyPage`), without a database.
final class SurveyFormTests: XCTestCase {
    private func parse(_ body: String) throws -> [String: String] {
        try FormFields.parse(Array(body.utf8), allowed: SurveyForm.fields)
    }

    private func refusal(_ body: String) -> String? {
        do {
            _ = try parse(body)
            return nil
        } catch KefuError.invalidField(let field, _) {
            return field
        } catch {
            return "\(error)"
        }
    }

    func testFieldsAreDecodedStrictly() throws {
        XCTAssertEqual(try parse("overall=5&comment=a+b%20c%E5%A5%BD"), ["overall": "5", "comment": "a b c好"])
        XCTAssertEqual(try parse(""), [:])
        XCTAssertEqual(try parse("comment="), ["comment": ""])
        XCTAssertEqual(refusal("overall=5&overall=4"), "overall")
        XCTAssertEqual(refusal("token=x"), "token")
        XCTAssertEqual(refusal("comment=%E5%A5"), "comment", "cut UTF-8")
        XCTAssertEqual(refusal("comment=%4"), "comment", "cut escape")
        XCTAssertEqual(refusal("%ZZ=1"), "body")
    }

    func testTheAnswerNeedsEveryRatingAsAWholeNumber() throws {
        let values = ["overall": "5", "timeliness": "4", "professionalism": "3", "resolution": "2", "attitude": "1", "comment": "  "]
        let answer = try SurveyForm.answer(values)
        XCTAssertEqual([answer.overall, answer.timeliness, answer.professionalism, answer.resolution, answer.attitude], [5, 4, 3, 2, 1])
        XCTAssertNil(answer.comment, "a blank comment is no comment")
        var partial = values
        partial["overall"] = "five"
        partial["attitude"] = nil
        XCTAssertThrowsError(try SurveyForm.answer(partial)) { error in
            XCTAssertEqual((error as? SurveyForm.Missing)?.fields, ["overall", "attitude"])
        }
        partial = values
        partial["overall"] = "99999999999999999999"
        XCTAssertThrowsError(try SurveyForm.answer(partial), "no overflow trap")
    }

    func testEveryPageRenders() {
        let invitation = SurveyInvitation(tenantName: "<b>Acme</b>", locale: .en, state: .open)
        let form = SurveyPage.form(
            invitation,
            values: ["overall": "3"],
            missing: ["attitude"],
            refusal: .init(field: "other", reason: "is not a field")
        )
        XCTAssertTrue(form.html.contains("&lt;b&gt;Acme&lt;/b&gt;"))
        XCTAssertTrue(form.html.contains(#"value="3" checked"#))
        XCTAssertTrue(form.html.contains(#"id="attitude-error""#))
        XCTAssertTrue(form.html.contains("“other” is not a field"))
        XCTAssertTrue(SurveyPage.thanks(invitation).html.contains("Thank you"))
        for notice in [SurveyPage.Notice.unknown, .answered, .expired, .suspended, .tooLarge, .unsupported, .unavailable] {
            let bilingual = SurveyPage.notice(notice, nil).html
            XCTAssertTrue(bilingual.contains(#"<section lang="zh-CN">"#) && bilingual.contains(#"<section lang="en">"#), "\(notice)")
            XCTAssertFalse(SurveyPage.notice(notice, invitation).html.contains(#"lang="zh-CN""#))
        }
    }
}
