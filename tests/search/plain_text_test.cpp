#include "search/plain_text.hpp"

#include <gtest/gtest.h>

namespace newsmirror::search {
namespace {

TEST(PlainText, BlocksAreLinesAndOtherWhiteSpaceOneSpace) {
  EXPECT_EQ(visible_text("<p>第一段\n  文字</p><p>second <b>bold</b>\tword</p><ul><li>a</li><li>b</li></ul>"),
            "第一段 文字\nsecond bold word\na\nb");
  EXPECT_EQ(visible_text("one<br>two<br/>three"), "one\ntwo\nthree");
}

TEST(PlainText, HiddenElementsAreNotText) {
  EXPECT_EQ(visible_text("<p>shown</p><script>var x = '<p>no</p>';</script><style>p{}</style>"
                         "<noscript>no</noscript><template><p>no</p></template><p>also shown</p>"),
            "shown\nalso shown");
  EXPECT_EQ(visible_text("<head><title>no</title></head><body><p>yes</p></body>"), "yes");
}

TEST(PlainText, ReferencesAreDecoded) {
  EXPECT_EQ(visible_text("<p>AT&amp;T &lt;b&gt; &#x53F0;&#28286; caf&eacute;&nbsp;x</p>"),
            "AT&T <b> 台湾 café\u00A0x");
}

TEST(PlainText, AMetaCharsetDoesNotChangeTheDecoding) {
  EXPECT_EQ(visible_text("<meta charset=\"gb2312\"><p>台湾</p>"), "台湾");
  EXPECT_EQ(visible_text("<meta http-equiv=\"Content-Type\" content=\"text/html; charset=big5\"><p>臺灣</p>"),
            "臺灣");
}

TEST(PlainText, InvalidUtf8BecomesReplacementCharactersNotLatin1) {
  EXPECT_EQ(visible_text("<p>a\xFF b</p><p>台湾</p>"), "a\uFFFD b\n台湾");
}

TEST(PlainText, DamagedMarkupStillYieldsItsText) {
  EXPECT_EQ(visible_text("<p>open <b>bold <i>both</p><p>next"), "open bold both\nnext");
  EXPECT_EQ(visible_text(""), "");
  EXPECT_EQ(visible_text("plain text only"), "plain text only");
}

}  // namespace
}  // namespace newsmirror::search
