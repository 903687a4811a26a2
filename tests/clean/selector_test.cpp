#include "clean/selector.hpp"

#include <gtest/gtest.h>

namespace newsmirror::clean {
namespace {

// The `id`s (else tag names) of what `selector` picks in `html`, in order,
// joined by spaces; or the parse error.
std::string pick(std::string_view selector, std::string_view html) {
  auto parsed = parse_selector(selector);
  if (!parsed) return "error: " + parsed.error().message;
  auto root = parse_fragment(html);
  std::string out;
  for (Node* node : select_all(*root, *parsed)) {
    if (!out.empty()) out += ' ';
    auto id = node->attribute("id");
    out += id ? *id : node->tag;
  }
  return out;
}

std::string error_of(std::string_view selector) {
  auto parsed = parse_selector(selector);
  if (parsed) return "(parsed)";
  EXPECT_EQ(parsed.error().kind, core::ErrorKind::parse);
  return parsed.error().message;
}

constexpr std::string_view kPage = R"(
<div id="a" class="box Main">
  <p id="p1" class="lead">one</p>
  <p id="p2" data-x="foo bar" lang="en-GB">two <span id="s1">x</span></p>
  <section id="sec"><p id="p3" class="lead">three</p></section>
</div>
<div id="b" title="Hello World"><a id="l1" href="https://feedx.net/x">f</a><a id="l2" href="/rel">r</a></div>
)";

TEST(Selector, TypeSelectorsIgnoreCase) {
  EXPECT_EQ(pick("p", kPage), "p1 p2 p3");
  EXPECT_EQ(pick("P", kPage), "p1 p2 p3");
  EXPECT_EQ(pick("SECTION", kPage), "sec");
}

TEST(Selector, UniversalMatchesEveryElementInDocumentOrder) {
  EXPECT_EQ(pick("*", "<b id=x><i id=y></i></b>text<u id=z></u>"), "x y z");
}

TEST(Selector, ClassesAndIdsAreCaseSensitive) {
  EXPECT_EQ(pick(".lead", kPage), "p1 p3");
  EXPECT_EQ(pick(".Main", kPage), "a");
  EXPECT_EQ(pick(".main", kPage), "");
  EXPECT_EQ(pick("#p2", kPage), "p2");
  EXPECT_EQ(pick("#P2", kPage), "");
}

TEST(Selector, CompoundSelectorsNeedEveryPart) {
  EXPECT_EQ(pick("div.box.Main#a", kPage), "a");
  EXPECT_EQ(pick("div.box.other", kPage), "");
  EXPECT_EQ(pick("p.lead#p3", kPage), "p3");
  EXPECT_EQ(pick("p#p1#p3", kPage), "");
}

TEST(Selector, AttributeOperators) {
  EXPECT_EQ(pick("[data-x]", kPage), "p2");
  EXPECT_EQ(pick("[DATA-X]", kPage), "p2");  // attribute names ignore case
  EXPECT_EQ(pick("[data-x=\"foo bar\"]", kPage), "p2");
  EXPECT_EQ(pick("[data-x='foo']", kPage), "");
  EXPECT_EQ(pick("[data-x~=bar]", kPage), "p2");
  EXPECT_EQ(pick("[data-x~=ba]", kPage), "");
  EXPECT_EQ(pick("[data-x^=fo]", kPage), "p2");
  EXPECT_EQ(pick("[data-x$=\"ar\"]", kPage), "p2");
  EXPECT_EQ(pick("[data-x*='o b']", kPage), "p2");
  EXPECT_EQ(pick("[lang|=en]", kPage), "p2");
  EXPECT_EQ(pick("[lang|=e]", kPage), "");
  EXPECT_EQ(pick("a[href^='https://feedx.net']", kPage), "l1");
  EXPECT_EQ(pick("[title=\"hello world\"]", kPage), "");  // values are case-sensitive
  EXPECT_EQ(pick("[ title = 'Hello World' ]", kPage), "b");
}

TEST(Selector, EmptyValuesMatchOnlyEquality) {
  std::string_view html = R"(<i id=e data-v=""></i><i id=f data-v="x"></i>)";
  EXPECT_EQ(pick("[data-v='']", html), "e");
  EXPECT_EQ(pick("[data-v^='']", html), "");
  EXPECT_EQ(pick("[data-v$='']", html), "");
  EXPECT_EQ(pick("[data-v*='']", html), "");
  EXPECT_EQ(pick("[data-v~='']", html), "");
}

TEST(Selector, DescendantAndChildCombinators) {
  EXPECT_EQ(pick("div p", kPage), "p1 p2 p3");
  EXPECT_EQ(pick("div > p", kPage), "p1 p2");
  EXPECT_EQ(pick("div>p", kPage), "p1 p2");
  EXPECT_EQ(pick("section > .lead", kPage), "p3");
  EXPECT_EQ(pick("#a span", kPage), "s1");
  EXPECT_EQ(pick("#a > span", kPage), "");
  EXPECT_EQ(pick("div p span", kPage), "s1");
  EXPECT_EQ(pick("#b p", kPage), "");
}

TEST(Selector, DescendantBacktracksOverAncestors) {
  // The first `div` up from the span is not inside `.x`; a higher one is.
  EXPECT_EQ(pick(".x > div span", "<div class=x><div><div><span id=s></span></div></div></div>"), "s");
  EXPECT_EQ(pick(".x > div > span", "<div class=x><div><div><span id=s></span></div></div></div>"), "");
}

TEST(Selector, SiblingCombinators) {
  std::string_view html = "<h2 id=h></h2>text<p id=q1></p><!-- c --><p id=q2></p><p id=q3></p>";
  EXPECT_EQ(pick("h2 + p", html), "q1");
  EXPECT_EQ(pick("h2 ~ p", html), "q1 q2 q3");
  EXPECT_EQ(pick("p + p", html), "q2 q3");  // comments and text do not count as siblings
  EXPECT_EQ(pick("p ~ h2", html), "");
}

TEST(Selector, ListsMatchAnyInDocumentOrderOnce) {
  EXPECT_EQ(pick("#p3, #p1, .lead", kPage), "p1 p3");
}

TEST(Selector, NotExcludes) {
  EXPECT_EQ(pick("p:not(.lead)", kPage), "p2");
  EXPECT_EQ(pick("p:not(.lead, [data-x])", kPage), "");
  EXPECT_EQ(pick("p:not(section > p)", kPage), "p1 p2");
}

TEST(Selector, HasLooksBelowOrAfterTheElement) {
  EXPECT_EQ(pick("div:has(a)", kPage), "b");
  EXPECT_EQ(pick("div:has(> span)", kPage), "");
  EXPECT_EQ(pick("div:has(span)", kPage), "a");
  EXPECT_EQ(pick("p:has(> span)", kPage), "p2");
  EXPECT_EQ(pick("div:has(> section > .lead)", kPage), "a");
  EXPECT_EQ(pick("p:has(+ p)", kPage), "p1");
  EXPECT_EQ(pick("p:has(~ section)", kPage), "p1 p2");
  EXPECT_EQ(pick("div:has(+ div > a[href^='https://feedx.net'])", kPage), "a");
  // The anchor is the element itself: `.lead` inside it, not anywhere above.
  EXPECT_EQ(pick("section:has(div .lead)", kPage), "");
}

TEST(Selector, StructuralPseudoClasses) {
  std::string_view html = "<ul><li id=i1></li><li id=i2> </li><li id=i3>x</li></ul><ol><li id=o1><b></b></li></ol>";
  EXPECT_EQ(pick("li:first-child", html), "i1 o1");
  EXPECT_EQ(pick("li:last-child", html), "i3 o1");
  EXPECT_EQ(pick("li:only-child", html), "o1");
  EXPECT_EQ(pick("li:empty", html), "i1 i2");
}

TEST(Selector, NonAsciiNamesWork) {
  EXPECT_EQ(pick("#安全隐患", "<h2 id=安全隐患></h2>"), "安全隐患");
  EXPECT_EQ(pick("h2[id^=安全]", "<h2 id=安全隐患></h2>"), "安全隐患");
}

TEST(Selector, NeverMatchesTextOrTheRoot) {
  auto root = parse_fragment("text<p>x</p>");
  auto all = parse_selector("*");
  ASSERT_TRUE(all);
  EXPECT_FALSE(all->matches(*root));
  EXPECT_FALSE(all->matches(*root->children().front()));
  EXPECT_EQ(select_all(*root, *all).size(), 1u);
}

TEST(Selector, KeepsItsText) {
  auto parsed = parse_selector(" div > p ");
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->text(), " div > p ");
}

TEST(SelectorErrors, NameTheSelectorAndColumn) {
  EXPECT_EQ(error_of(".a >"), "selector \".a >\": expected a selector after '>' at column 5");
  EXPECT_EQ(error_of(""), "selector \"\": expected a selector at column 1");
  EXPECT_EQ(error_of("a,,b"), "selector \"a,,b\": expected a selector, got ',' at column 3");
  EXPECT_EQ(error_of("a,"), "selector \"a,\": expected a selector at column 3");
  EXPECT_EQ(error_of("."), "selector \".\": expected a class name after '.', got end of selector at column 2");
  EXPECT_EQ(error_of("#1a"),
            "selector \"#1a\": expected an id after '#', got '1' (a name cannot start with a digit) at column 2");
  EXPECT_EQ(error_of("a > > b"), "selector \"a > > b\": expected a selector after '>', got '>' at column 5");
  EXPECT_EQ(error_of("a)"), "selector \"a)\": unexpected ')' at column 2");
  EXPECT_EQ(error_of("a !b"), "selector \"a !b\": expected a selector, got '!' at column 3");
  EXPECT_EQ(error_of("a{b"), "selector \"a{b\": unexpected '{' at column 2");
}

TEST(SelectorErrors, Attributes) {
  EXPECT_EQ(error_of("[href"), "selector \"[href\": expected ']' or an operator like '=' after attribute name, "
                               "got end of selector at column 6");
  EXPECT_EQ(error_of("[]"), "selector \"[]\": expected an attribute name after '[', got ']' at column 2");
  EXPECT_EQ(error_of("[href=\"x]"), "selector \"[href=\"x]\": unterminated string at column 7");
  EXPECT_EQ(error_of("[href=http://x]"),
            "selector \"[href=http://x]\": expected ']', got ':' at column 11");
  EXPECT_EQ(error_of("[href=]"),
            "selector \"[href=]\": expected a value after '=' (quote values that are not plain names), "
            "got ']' at column 7");
  EXPECT_EQ(error_of("[a=b i]"), "selector \"[a=b i]\": attribute flags (i, s) are not supported at column 6");
  EXPECT_EQ(error_of("[a!=b]"), "selector \"[a!=b]\": expected ']' or an operator like '=' after attribute "
                                "name, got '!' at column 3");
}

TEST(SelectorErrors, EscapesAndUnsupportedPseudosAreRejectedClearly) {
  EXPECT_EQ(error_of(".a\\:b"), "selector \".a\\:b\": backslash escapes are not supported at column 3");
  EXPECT_EQ(error_of("[a='\\'']"), "selector \"[a='\\'']\": backslash escapes are not supported at column 5");
  EXPECT_EQ(error_of("a:hover"),
            "selector \"a:hover\": unsupported pseudo-class ':hover' (supported: :not(), :has(), :first-child, "
            ":last-child, :only-child, :empty) at column 2");
  EXPECT_EQ(error_of("p::before"), "selector \"p::before\": pseudo-elements ('::') are not supported at column 2");
  EXPECT_EQ(error_of("p:not(.a"), "selector \"p:not(.a\": expected ')' to close ':not(', got end of selector at column 9");
  EXPECT_EQ(error_of("p:not()"), "selector \"p:not()\": expected a selector, got ')' at column 7");
  EXPECT_EQ(error_of("p:has(>)"), "selector \"p:has(>)\": expected a selector after '>', got ')' at column 8");
  EXPECT_EQ(error_of("p:not"), "selector \"p:not\": expected '(' after ':not' at column 6");
}

}  // namespace
}  // namespace newsmirror::clean
