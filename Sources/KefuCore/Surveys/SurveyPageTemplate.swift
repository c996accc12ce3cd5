import Foundation
import KefuPostgres
import Mustache

/// The HTML of the customer's survey page (swift-mustache, HTML-escaping every `{{value}}`) and
/// its one inline style, allowed by the Content-Security-Policy through the style's hash.
enum SurveyPageTemplate {
    /// The page's only style; `contentSecurityPolicy` allows exactly this text.
    static let style = """
        body{margin:0;font:16px/1.5 system-ui,-apple-system,"PingFang SC","Microsoft YaHei",sans-serif;color:#1a1a1a;background:#f5f6f8}\
        main{max-width:34rem;margin:0 auto;padding:1rem}\
        .tenant{margin:0;color:#4a4f57;font-weight:600}\
        h1{font-size:1.35rem;margin:.25rem 0 1rem}\
        fieldset{border:1px solid #c4c9d0;border-radius:.5rem;margin:0 0 1rem;padding:.5rem .75rem .75rem;background:#fff}\
        legend{font-weight:600;padding:0 .25rem}\
        .scale{display:flex;gap:.25rem}\
        .scale label{flex:1;display:flex;flex-direction:column;align-items:center;text-align:center;font-size:.75rem;padding:.25rem 0;cursor:pointer}\
        .scale input{width:1.5rem;height:1.5rem;margin:.25rem}\
        .scale span{font-size:1rem;font-weight:600}\
        textarea{box-sizing:border-box;width:100%;font:inherit;padding:.5rem;border:1px solid #80868f;border-radius:.375rem}\
        button{width:100%;margin-top:1rem;padding:.75rem;font:inherit;font-weight:600;color:#fff;background:#0b57d0;border:0;border-radius:.5rem}\
        .error{color:#b3261e;font-weight:600}\
        input:focus-visible,textarea:focus-visible,button:focus-visible{outline:3px solid #0b57d0;outline-offset:2px}
        """

    /// The policy every survey page is sent with: nothing but this page's style, forms posting
    /// back to this origin, no framing.
    static let contentSecurityPolicy =
        "default-src 'none'; style-src 'sha256-\(Data(SHA256.hash(Array(style.utf8))).base64EncodedString())'; "
        + "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

    static let text = """
        <!DOCTYPE html>
        <html lang="{{lang}}">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="robots" content="noindex, nofollow">
        <title>{{pageTitle}}</title>
        <style>\(style)</style>
        </head>
        <body>
        <main>
        {{#tenant}}<p class="tenant">{{tenant}}</p>{{/tenant}}
        {{#notices}}
        <section lang="{{lang}}">
        <h1>{{title}}</h1>
        <p>{{text}}</p>
        </section>
        {{/notices}}
        {{#form}}
        <h1>{{title}}</h1>
        <p>{{intro}}</p>
        {{#problem}}<p class="error" role="alert" id="form-error">{{problem}}</p>{{/problem}}
        <form method="post" accept-charset="utf-8">
        {{#ratings}}
        <fieldset{{#error}} aria-describedby="{{name}}-error"{{/error}}>
        <legend>{{legend}}</legend>
        {{#error}}<p class="error" id="{{name}}-error">{{error}}</p>{{/error}}
        <div class="scale">
        {{#options}}
        <label for="{{name}}-{{value}}"><input type="radio" id="{{name}}-{{value}}" name="{{name}}" value="{{value}}"{{#checked}} checked{{/checked}}{{#first}} required{{/first}}><span>{{value}}</span>{{label}}</label>
        {{/options}}
        </div>
        </fieldset>
        {{/ratings}}
        <label for="comment">{{commentLabel}}</label>
        {{#commentError}}<p class="error" id="comment-error">{{commentError}}</p>{{/commentError}}
        <textarea id="comment" name="comment" rows="4" maxlength="{{commentMax}}"{{#commentError}} aria-describedby="comment-error"{{/commentError}}>{{comment}}</textarea>
        <button type="submit">{{submit}}</button>
        </form>
        {{/form}}
        </main>
        </body>
        </html>

        """

    /// Compiled once; `SurveyPageTests` checks that it compiles.
    static let compiled: MustacheTemplate? = try? MustacheTemplate(string: text)
}
