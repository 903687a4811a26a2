#include "site/page_renderer.hpp"

#include <fmt/format.h>
#include <kainjow/mustache.hpp>
#include <opencc/SimpleConverter.hpp>

#include <map>
#include <utility>

#include "site/safe_content.hpp"
#include "site/site_paths.hpp"

namespace newsmirror::site {

namespace {

using kainjow::mustache::data;
using kainjow::mustache::list;
using kainjow::mustache::mustache;
using kainjow::mustache::object;

struct VariantInfo {
  std::string_view name;
  std::string_view label;     // in its own script
  std::string_view lang;
  const char* opencc_config;  // nullptr: the page as archived
};

constexpr VariantInfo kVariants[] = {
    {"", "原文", "zh", nullptr},
    {"hant", "繁體", "zh-Hant", "s2t.json"},
    {"hans", "简体", "zh-Hans", "t2s.json"},
};

const VariantInfo* find_variant(std::string_view name) {
  for (const auto& v : kVariants)
    if (v.name == name) return &v;
  return nullptr;
}

// Stands for the variant switch while the page is converted, so that the
// labels of the switch stay in their own script.
constexpr std::string_view kNavMarker = "\x01newsmirror-variant-nav\x01";

constexpr const char* kPageTemplates[] = {"layout.mustache",  "list_items.mustache",
                                          "home.mustache",    "site.mustache",
                                          "month.mustache",   "article.mustache",
                                          "search.mustache",  "variant_nav.mustache"};

std::string year_month_label(std::string_view year_month) {
  // "2026-11" -> "2026 年 11 月"
  if (year_month.size() != 7) return std::string(year_month);
  int month = (year_month[5] - '0') * 10 + (year_month[6] - '0');
  return fmt::format("{} 年 {} 月", year_month.substr(0, 4), month);
}

}  // namespace

bool is_known_variant(std::string_view variant) {
  return !variant.empty() && find_variant(variant) != nullptr;
}

struct PageRenderer::Impl {
  const Templates& templates;
  const RenderOptions& options;
  const SiteModel& model;
  std::map<std::string, mustache, std::less<>> parsed;
  std::map<std::string, std::unique_ptr<opencc::SimpleConverter>, std::less<>> converters;

  Impl(const Templates& t, const RenderOptions& o, const SiteModel& m)
      : templates(t), options(o), model(m) {}

  std::string render(std::string_view name, const data& values) {
    std::string out;
    parsed.find(name)->second.render(values, [&out](const std::string& piece) { out += piece; });
    return out;
  }

  // The link from the page at `from` to the page at `to`, in `variant`.
  static std::string link(std::string_view from, std::string_view to, std::string_view variant) {
    bool is_page = to.size() > 5 && to.substr(to.size() - 5) == ".html";
    return root_prefix(from) + href(is_page ? with_variant(to, variant) : std::string(to));
  }

  data article_item(const ListedArticle& article, std::string_view from,
                    std::string_view variant, bool show_site) {
    data item;
    item.set("href", link(from, article_path(article), variant));
    item.set("title", std::string(article.title()));
    item.set("iso", model.iso_text(article.when));
    item.set("date", model.local_text(article.when));
    if (show_site) {
      item.set("show_site", true);
      item.set("site", std::string(article.site()));
      item.set("site_href", link(from, site_index_path(article.site()), variant));
    }
    int versions = model.version_count(article);
    if (versions > 1) {
      item.set("edited", true);
      item.set("versions", std::to_string(versions));
    }
    return item;
  }

  std::string list_html(const std::vector<const ListedArticle*>& articles,
                        std::string_view from, std::string_view variant, bool show_site) {
    list items;
    items.reserve(articles.size());
    for (const auto* article : articles)
      items.push_back(article_item(*article, from, variant, show_site));
    data values;
    values.set("articles", std::move(items));
    return render("list_items.mustache", values);
  }

  // Wraps `body` in the layout and converts it to `variant`.
  std::string page(std::string_view path, std::string_view title, std::string body,
                   std::string_view variant, std::string_view lang,
                   std::string_view feed_path, std::string_view query = {}) {
    data values;
    values.set("title", std::string(title));
    values.set("brand", options.title);
    values.set("policy", std::string(kMetaPagePolicy));
    values.set("root", root_prefix(path));
    values.set("lang", std::string(lang));
    values.set("home_href", href(with_variant("index.html", variant)));
    values.set("feed_href", href(std::string(feed_path)));
    if (!options.base_url.empty()) values.set("canonical", options.base_url + href(path));
    list feeds;
    std::string feed_stem(feed_path.substr(0, feed_path.size() - 4));  // without "atom"
    for (auto [type, extension, label] :
         {std::tuple{"application/atom+xml", "atom", "Atom"},
          std::tuple{"application/rss+xml", "rss", "RSS"},
          std::tuple{"application/feed+json", "json", "JSON Feed"}}) {
      data feed;
      feed.set("type", type);
      feed.set("label", label);
      feed.set("href", link(path, feed_stem + extension, variant));
      feeds.push_back(std::move(feed));
    }
    values.set("feeds", std::move(feeds));
    if (options.search) {
      values.set("search", true);
      values.set("search_href", href(with_variant("search.html", variant)));
      values.set("query", std::string(query));
    }
    bool has_variants = !options.variants.empty();
    values.set("variant_nav", has_variants ? std::string(kNavMarker) : std::string());
    values.set("body", std::move(body));
    std::string html = render("layout.mustache", values);
    if (!has_variants) return html;

    if (const auto* info = find_variant(variant); info && info->opencc_config) {
      html = converter(info->opencc_config).Convert(html);
    }
    auto marker = html.find(kNavMarker);
    if (marker != std::string::npos) html.replace(marker, kNavMarker.size(), variant_nav(path, variant));
    return html;
  }

  std::string variant_nav(std::string_view path, std::string_view variant) {
    // The switch links a page's own path in each variant: the path without
    // any variant, then with each.
    list links;
    std::vector<std::string_view> names = {""};
    for (const auto& v : options.variants) names.push_back(v);
    for (auto name : names) {
      const auto* info = find_variant(name);
      if (!info) continue;
      data entry;
      entry.set("label", std::string(info->label));
      entry.set("lang", std::string(info->lang));
      entry.set("href", link(path, path, name));
      if (name == variant) entry.set("current", true);
      links.push_back(std::move(entry));
    }
    data values;
    values.set("links", std::move(links));
    return render("variant_nav.mustache", values);
  }

  opencc::SimpleConverter& converter(const char* config) {
    auto found = converters.find(config);
    if (found == converters.end()) {
      found = converters.emplace(config, std::make_unique<opencc::SimpleConverter>(config)).first;
    }
    return *found->second;
  }

  std::string lang_of(std::string_view variant, std::string_view article_language = {}) {
    const auto* info = find_variant(variant);
    if (info && info->opencc_config) return std::string(info->lang);
    if (!article_language.empty() && article_language != "und") return std::string(article_language);
    return "zh";
  }
};

core::Result<std::unique_ptr<PageRenderer>> PageRenderer::create(const Templates& templates,
                                                                 const RenderOptions& options,
                                                                 const SiteModel& model) {
  for (const auto& variant : options.variants) {
    if (!is_known_variant(variant)) {
      return core::Error(core::ErrorKind::usage,
                         "unknown variant \"" + variant + "\" (known: hant, hans)");
    }
  }
  auto impl = std::make_unique<Impl>(templates, options, model);
  for (const char* name : kPageTemplates) {
    auto text = templates.get(name);
    mustache parsed{std::string(text)};
    if (text.empty() || !parsed.is_valid()) {
      return core::Error(core::ErrorKind::config,
                         fmt::format("template {}: {}", name,
                                     text.empty() ? "missing" : parsed.error_message()));
    }
    impl->parsed.emplace(name, std::move(parsed));
  }
  try {
    for (const auto& variant : options.variants) {
      impl->converter(find_variant(variant)->opencc_config);
    }
  } catch (const std::exception& error) {
    return core::Error(core::ErrorKind::internal,
                       std::string("cannot load the OpenCC conversion: ") + error.what());
  }
  return std::unique_ptr<PageRenderer>(new PageRenderer(std::move(impl)));
}

PageRenderer::PageRenderer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
PageRenderer::~PageRenderer() = default;

std::string PageRenderer::home(std::string_view variant) {
  auto& r = *impl_;
  const std::string path = "index.html";
  list sites;
  for (const auto& site : r.model.sites()) {
    data entry;
    entry.set("name", site.name);
    entry.set("href", r.link(path, site_index_path(site.name), variant));
    entry.set("count", std::to_string(site.count));
    if (!site.articles.empty()) {
      auto when = site.articles.front()->when;
      entry.set("newest_iso", r.model.iso_text(when));
      entry.set("newest_date", r.model.local_text(when));
    }
    sites.push_back(std::move(entry));
  }
  data values;
  values.set("brand", r.options.title);
  values.set("sites", std::move(sites));
  values.set("list", r.list_html(r.model.newest(kNewestCount), path, variant, true));
  return r.page(path, r.options.title, r.render("home.mustache", values), variant,
                r.lang_of(variant), "feed.atom");
}

std::string PageRenderer::site_index(const SiteListing& site, std::string_view variant) {
  auto& r = *impl_;
  const std::string path = site_index_path(site.name);
  std::vector<const ListedArticle*> newest(
      site.articles.begin(),
      site.articles.begin() + static_cast<std::ptrdiff_t>(std::min(kNewestCount, site.articles.size())));
  list months;
  for (const auto& month : site.months) {
    data entry;
    entry.set("href", r.link(path, month_path(site.name, month.year_month), variant));
    entry.set("label", year_month_label(month.year_month));
    entry.set("count", std::to_string(month.count));
    months.push_back(std::move(entry));
  }
  data values;
  values.set("site", site.name);
  values.set("count", std::to_string(site.count));
  values.set("feed_href", r.link(path, site_feed_path(site.name, "atom"), variant));
  values.set("rss_href", r.link(path, site_feed_path(site.name, "rss"), variant));
  values.set("json_href", r.link(path, site_feed_path(site.name, "json"), variant));
  values.set("list", r.list_html(newest, path, variant, false));
  values.set("months", std::move(months));
  return r.page(path, site.name + " · " + r.options.title, r.render("site.mustache", values),
                variant, r.lang_of(variant), site_feed_path(site.name, "atom"));
}

std::string PageRenderer::month(const SiteListing& site, std::size_t index,
                                std::string_view variant) {
  auto& r = *impl_;
  const auto& month = site.months.at(index);
  const std::string path = month_path(site.name, month.year_month);
  data values;
  values.set("site", site.name);
  values.set("site_href", r.link(path, site_index_path(site.name), variant));
  values.set("label", year_month_label(month.year_month));
  values.set("list", r.list_html(month.articles, path, variant, false));
  auto neighbour = [&](std::size_t i) {
    data entry;
    entry.set("href", r.link(path, month_path(site.name, site.months[i].year_month), variant));
    entry.set("label", year_month_label(site.months[i].year_month));
    return entry;
  };
  if (index > 0) values.set("newer", neighbour(index - 1));
  if (index + 1 < site.months.size()) values.set("older", neighbour(index + 1));
  return r.page(path, site.name + " · " + year_month_label(month.year_month),
                r.render("month.mustache", values), variant, r.lang_of(variant),
                site_feed_path(site.name, "atom"));
}

std::string PageRenderer::article(const catalog::Article& article, std::string_view html,
                                  const std::vector<catalog::Version>& versions,
                                  std::optional<int> shown_ordinal, std::string_view variant) {
  auto& r = *impl_;
  const std::string path =
      shown_ordinal ? version_path(article, *shown_ordinal) : article_path(article);
  data values;
  values.set("site", article.site);
  values.set("site_href", r.link(path, site_index_path(article.site), variant));
  const std::string year_month = r.model.year_month(listed_time(article));
  values.set("month_href", r.link(path, month_path(article.site, year_month), variant));
  values.set("month_label", year_month_label(year_month));
  values.set("title", article.title);
  if (article.published) {
    data published;
    published.set("iso", r.model.iso_text(*article.published));
    published.set("date", r.model.local_text(*article.published));
    values.set("published", published);
  }
  if (auto link = safe_link(article.link)) values.set("link", *link);
  values.set("html", safe_article_html(html));
  if (versions.size() > 1) {
    values.set("has_versions", true);
    list entries;
    for (const auto& version : versions) {
      data entry;
      entry.set("ordinal", std::to_string(version.ordinal));
      entry.set("fetched_iso", r.model.iso_text(version.fetched_at));
      entry.set("fetched_date", r.model.local_text(version.fetched_at));
      bool is_current = version.id == article.current_version;
      bool is_shown = shown_ordinal ? version.ordinal == *shown_ordinal : is_current;
      if (is_shown) entry.set("current", true);
      entry.set("href", r.link(path, is_current ? article_path(article)
                                                : version_path(article, version.ordinal),
                               variant));
      entries.push_back(std::move(entry));
      if (shown_ordinal && version.ordinal == *shown_ordinal) {
        data note;
        note.set("ordinal", std::to_string(version.ordinal));
        note.set("count", std::to_string(versions.size()));
        note.set("fetched_iso", r.model.iso_text(version.fetched_at));
        note.set("fetched_date", r.model.local_text(version.fetched_at));
        note.set("current_href", r.link(path, article_path(article), variant));
        values.set("version_note", note);
      }
    }
    values.set("versions", std::move(entries));
  }
  return r.page(path, article.title + " · " + article.site, r.render("article.mustache", values),
                variant, r.lang_of(variant, article.language), site_feed_path(article.site, "atom"));
}

std::string PageRenderer::search(std::string_view query, const search::SearchResults* results,
                                 std::string_view error, int offset, int limit,
                                 std::string_view variant) {
  auto& r = *impl_;
  const std::string path = "search.html";
  data values;
  values.set("query", std::string(query));
  if (!query.empty()) values.set("has_query", true);
  if (!error.empty()) values.set("error", std::string(error));
  if (results) {
    values.set("total", std::to_string(results->total) + (results->total_exact ? "" : "+"));
    list hits;
    for (const auto& hit : results->hits) {
      data entry;
      entry.set("href", r.link(path, article_path(hit.site, file_stem(hit.file)), variant));
      entry.set("title", hit.title);
      entry.set("site", hit.site);
      entry.set("site_href", r.link(path, site_index_path(hit.site), variant));
      if (hit.published) {
        core::TimePoint published{std::chrono::milliseconds(*hit.published)};
        entry.set("iso", r.model.iso_text(published));
        entry.set("date", r.model.local_text(published));
      }
      // The search marks matches with \x02 ... \x03 (see SiteRenderer);
      // escape the text, then turn those into <mark>.
      std::string snippet = kainjow::mustache::html_escape<std::string>(hit.snippet);
      for (std::size_t at; (at = snippet.find('\x02')) != std::string::npos;) snippet.replace(at, 1, "<mark>");
      for (std::size_t at; (at = snippet.find('\x03')) != std::string::npos;) snippet.replace(at, 1, "</mark>");
      entry.set("snippet", snippet);
      hits.push_back(std::move(entry));
    }
    values.set("results", std::move(hits));
    auto page_link = [&](int at) {
      data entry;
      entry.set("href", href(with_variant(path, variant)) + "?q=" + query_value_encoded(query) +
                            (at > 0 ? "&offset=" + std::to_string(at) : std::string()));
      return entry;
    };
    if (offset > 0) values.set("previous", page_link(std::max(0, offset - limit)));
    if (offset + limit < results->total) values.set("next", page_link(offset + limit));
  }
  std::string title = query.empty() ? "搜索" : std::string(query) + " · 搜索";
  return r.page(path, title + " · " + r.options.title, r.render("search.mustache", values), variant,
                r.lang_of(variant), "feed.atom", query);
}

}  // namespace newsmirror::site
