// What one input means to the sanitizer and page renderer fuzzers, shared
// with the normal build's regression test (tests/site/fuzz_regression_test.cpp)
// so that a kept input means the same in both.
//
// sanitize: the bytes are an article's HTML. Its sanitized form must be a
// fixed point (sanitizing it again changes nothing) and hold no <script.
// page: "title\nlink\nHTML": one article's page is rendered as `build` and
// `serve` render it; the page must hold no <script and no javascript: link,
// and rendering it twice must give the same bytes.
#pragma once

#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "clean/sanitizer.hpp"
#include "core/ascii.hpp"
#include "site/page_renderer.hpp"
#include "site/safe_content.hpp"

namespace newsmirror::fuzz {

// What is wrong with how `html` is sanitized, or nullopt.
inline std::optional<std::string> sanitize_problem(std::string_view html) {
  const clean::SanitizeOptions options{"https://news.example/world/story.html"};
  std::string once = clean::sanitize_html(html, options);
  if (clean::sanitize_html(once, options) != once) return "sanitized output is not a fixed point";
  if (core::ascii_lower(once).find("<script") != std::string::npos) return "sanitized output holds <script";
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
  site::SiteModel model({article}, {{1, 1}}, core::TimeZone());
  auto renderer = site::PageRenderer::create(*templates, options, model);
  if (!renderer) return "no renderer: " + renderer.error().message;
  const auto& listed = *model.sites().front().articles.front();
  std::string page = (*renderer)->article(listed, input, {}, std::nullopt, "");
  if ((*renderer)->article(listed, input, {}, std::nullopt, "") != page) return "two renderings differ";
  std::string lower = core::ascii_lower(page);
  if (lower.find("<script") != std::string::npos) return "the page holds <script";
  if (lower.find("href=\"javascript:") != std::string::npos) return "the page links to javascript:";
  return std::nullopt;
}

}  // namespace newsmirror::fuzz
