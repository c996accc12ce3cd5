import KefuCore
import XCTest

final class TextEscapingTests: XCTestCase {
    func testHTMLEscapesEveryMarkupCharacter() {
        XCTAssertEqual(TextEscaping.html(#"<a href="x" onclick='y'>&</a>"#), "&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&lt;/a&gt;")
        XCTAssertEqual(TextEscaping.html("退款 ok"), "退款 ok")
    }

    func testCSVCellsThatASpreadsheetWouldRunArePrefixed() {
        XCTAssertEqual(TextEscaping.csvField("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"")
        XCTAssertEqual(TextEscaping.csvField("+1"), "'+1")
        XCTAssertEqual(TextEscaping.csvField("-1"), "'-1")
        XCTAssertEqual(TextEscaping.csvField("@SUM(A1)"), "'@SUM(A1)")
        XCTAssertEqual(TextEscaping.csvField("\tx"), "'\tx")
        XCTAssertEqual(TextEscaping.csvField("\rx"), "\"'\rx\"")
        XCTAssertEqual(TextEscaping.csvField("a,b"), "\"a,b\"")
        XCTAssertEqual(TextEscaping.csvField("plain"), "plain")
    }
}
