// What one input means to the sanitizer and page renderer fuzzers, shared
// with the normal build's regression test (tests/site/fuzz_regression_test.cpp)
// so that a kept input means the same in both.
//
// sanitize: the bytes are an article's HTML. Parsing it (and its sanitized
// form, as serialized markup) with stand-ins for long runs of text must
// build the tree that reading every character builds, and its sanitized
// form must be a fixed point (sanitizing it again changes nothing) and hold
// no active content. page: "title\nlink\nHTML": one article's page is rendered as
// `build` and `serve` render it; the page must hold no active content, and
// rendering it twice must give the same bytes. Active content is judged on
// the tree a browser's parser builds (a "javascript:" in text is text): a
// <script> element, an event handler attribute, a javascript: URL.
#pragma once

#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "clean/dom.hpp"
#include "clean/sanitizer.hpp"
#include "core/ascii.hpp"
#include "site/page_renderer.hpp"
#include "site/safe_content.hpp"

namespace newsmirror::fuzz {

// The first active content of the tree `html` parses into, or nullopt.
inline std::optional<std::string> active_content(std::string_view html, bool whole_page) {
  auto root = whole_page ? clean::parse_document(html) : clean::parse_fragment(html);
  std::optional<std::string> found;
  clean::for_each_descendant(*root, [&](const clean::Node& node) {
    if (found || node.kind != clean::Node::Kind::element) return;
    if (node.tag == "script" || node.tag == "svg:script") found = "a <script> element";
    for (const auto& attribute : node.attributes) {
      if (attribute.name.starts_with("on")) found = "an event handler attribute " + attribute.name;
      // Browsers drop ASCII white space and controls from a URL before
      // they read its scheme.
      std::string url;
      for (char c : attribute.value)
        if (static_cast<unsigned char>(c) > 0x20) url += c;
      static constexpr std::string_view kUrlAttributes[] = {
          "href", "src", "xlink:href", "action", "formaction", "poster", "data", "background", "cite",
          "longdesc", "lowsrc", "dynsrc", "codebase", "manifest", "ping", "srcset"};
      bool holds_url = false;
      for (auto name : kUrlAttributes) holds_url |= attribute.name == name;
      if (holds_url && core::ascii_lower(url).starts_with("javascript:"))
        found = "a javascript: URL in " + attribute.name;
    }
  });
  return found;
}

// Whether gumbo reading stand-ins for long runs of text (clean/text_stand_ins.hpp)
// builds another tree than reading every character: tried with a Chinese
// run in the middle of the input too, where the input holds none.
inline bool stand_ins_change_the_parse(std::string_view html) {
  const std::string chinese = "新闻自由是民主社会的基石之一";
  for (const std::string& variant :
       {std::string(html), std::string(html.substr(0, html.size() / 2)) + chinese +
                               std::string(html.substr(html.size() / 2))}) {
    if (clean::serialize_children(*clean::parse_fragment(variant)) !=
        clean::serialize_children(*clean::parse_fragment_reading_all_text(variant)))
      return true;
  }
  return false;
}

// What is wrong with how `html` is sanitized, or nullopt.
inline std::optional<std::string> sanitize_problem(std::string_view html) {
  if (stand_ins_change_the_parse(html)) return "text stand-ins change the parse";
  const clean::SanitizeOptions options{"https://news.example/world/story.html"};
  std::string once = clean::sanitize_html(html, options);
  if (clean::serialize_children(*clean::parse_serialized_fragment(once)) !=
      clean::serialize_children(*clean::parse_fragment_reading_all_text(once)))
    return "stand-ins for serialized markup change the parse of the sanitized output";
  if (clean::sanitize_html(once, options) != once) return "sanitized output is not a fixed point";
  if (auto active = active_content(once, false)) return "sanitized output holds " + *active;
  return std::nullopt;
}

// What is wrong with the page of the article `input` describes, or nullopt.
inline std::optional<std::string> page_problem(std::string_view input) {
  auto cut = [&] {
    auto line_end = input.find('\n');
    std::string_view line = input.substr(0, line_end);
    input = line_end == std::string_view::npos ? std::string_view() : input.substr(line_end + 1);
    return std::string(line);
  };
  catalog::Article article;
  article.id = 1;
  article.site = "站";
  article.file = "articles/站/1048574.md";
  article.number = 1048574;
  article.title = cut();
  article.link = cut();
  article.published = core::TimePoint(std::chrono::seconds(1700000000));
  article.current_version = 1;
  static const auto templates = site::Templates::load(std::nullopt);
  if (!templates) return "the embedded templates do not load";
  site::RenderOptions options;
  const auto model = site::SiteModel::from_rows({article}, {{1, 1}}, core::TimeZone());
  auto renderer = site::PageRenderer::create(*templates, options, *model);
  if (!renderer) return "no renderer: " + renderer.error().message;
  std::string page = (*renderer)->article(article, input, {}, std::nullopt, "");
  if ((*renderer)->article(article, input, {}, std::nullopt, "") != page) return "two renderings differ";
  if (auto active = active_content(page, true)) return "the page holds " + *active;
  return std::nullopt;
}

}  // namespace newsmirror::fuzz
