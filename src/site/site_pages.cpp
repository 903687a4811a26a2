#include "site/site_pages.hpp"

#include <charconv>
#include <span>
#include <unordered_map>

#include "site/feeds.hpp"
#include "site/fingerprint.hpp"
#include "site/safe_content.hpp"
#include "site/site_paths.hpp"

namespace newsmirror::site {

namespace {

constexpr std::string_view kFeedFormats[] = {"atom", "rss", "json"};

bool ends_with(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

bool starts_with(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

std::string feed_path(const SiteListing* site, std::string_view format) {
  return site ? site_feed_path(site->name, format) : "feed." + std::string(format);
}

// The articles of sitemap chunk `chunk`: ids 1 + chunk * kSitemapLimit on.
std::span<const ListedArticle> sitemap_chunk_articles(const SiteModel& model, std::size_t chunk) {
  const auto first = static_cast<catalog::ArticleId>(chunk * kSitemapLimit) + 1;
  return model.articles_by_id(first, first + static_cast<catalog::ArticleId>(kSitemapLimit) - 1);
}

std::string sitemap_chunk_path(std::size_t chunk) {
  return "sitemap-articles-" + std::to_string(chunk + 1) + ".xml";
}

std::vector<const ListedArticle*> feed_articles(const PageSpec& page, const SiteModel& model) {
  if (!page.site) return model.newest(kNewestCount);
  const auto& all = page.site->articles;
  return {all.begin(), all.begin() + static_cast<std::ptrdiff_t>(std::min(kNewestCount, all.size()))};
}

void add_article(Fingerprint& f, const ListedArticle& a, const SiteModel& model) {
  f.add(a.id).add(a.site()).add(a.stem()).add(a.title());
  // Link, language and dates, which the model reads but does not keep.
  f.add(static_cast<std::int64_t>(a.details)).add(a.when.time_since_epoch().count());
  // The current version's id stands for its content: a new text is a new
  // version (the model's rows leave the content hash out).
  f.add(a.current_version).add(model.version_count(a));
}

void add_list_item(Fingerprint& f, const ListedArticle& a, const SiteModel& model) {
  f.add(a.stem()).add(a.title());
  f.add(a.when.time_since_epoch().count()).add(model.version_count(a));
}

}  // namespace

namespace {

// Adds a page, or an HTML page once per variant.
class PageList {
 public:
  PageList(std::vector<PageSpec>& pages, const RenderOptions& options) : pages_(pages) {
    variants_.push_back("");
    variants_.insert(variants_.end(), options.variants.begin(), options.variants.end());
  }
  void add(PageSpec page) { pages_.push_back(std::move(page)); }
  void add_html(PageSpec page, const std::string& base_path) {
    for (const auto& variant : variants_) {
      page.variant = variant;
      page.path = with_variant(base_path, variant);
      pages_.push_back(page);
    }
  }

 private:
  std::vector<PageSpec>& pages_;
  std::vector<std::string> variants_;
};

}  // namespace

void add_home_pages(std::vector<PageSpec>& pages, const RenderOptions& options) {
  PageList list(pages, options);
  list.add_html({.kind = PageKind::home}, "index.html");
  for (const auto& format : kFeedFormats)
    list.add({.kind = PageKind::feed, .path = feed_path(nullptr, format), .format = std::string(format)});
}

void add_site_pages(std::vector<PageSpec>& pages, const SiteListing& site, const RenderOptions& options) {
  PageList list(pages, options);
  list.add_html({.kind = PageKind::site_index, .site = &site}, site_index_path(site.name));
  for (const auto& format : kFeedFormats) {
    list.add({.kind = PageKind::feed, .path = feed_path(&site, format), .site = &site,
              .format = std::string(format)});
  }
}

void add_month_pages(std::vector<PageSpec>& pages, const SiteListing& site, std::size_t month,
                     const RenderOptions& options) {
  PageList(pages, options)
      .add_html({.kind = PageKind::month, .site = &site, .month = month},
                month_path(site.name, site.months[month].year_month));
}

void add_article_pages(std::vector<PageSpec>& pages, const ListedArticle& article, const SiteModel& model,
                       const RenderOptions& options) {
  PageList list(pages, options);
  list.add_html({.kind = PageKind::article, .article = &article}, article_path(article));
  // The last version is the current one, shown on the article's own page.
  for (int ordinal = 1; ordinal < model.version_count(article); ++ordinal) {
    list.add_html({.kind = PageKind::version, .article = &article, .ordinal = ordinal},
                  version_path(article, ordinal));
  }
}

void add_sitemap_pages(std::vector<PageSpec>& pages, const std::vector<std::size_t>& chunks,
                       const RenderOptions& options) {
  if (options.base_url.empty()) return;
  pages.push_back({.kind = PageKind::sitemap_index, .path = "sitemap.xml"});
  pages.push_back({.kind = PageKind::sitemap_lists, .path = "sitemap-lists.xml"});
  for (auto chunk : chunks)
    pages.push_back({.kind = PageKind::sitemap_articles, .path = sitemap_chunk_path(chunk), .chunk = chunk});
}

std::vector<PageSpec> all_pages(const SiteModel& model, const RenderOptions& options) {
  std::vector<PageSpec> pages;
  pages.reserve(model.articles().size() * (1 + options.variants.size()) + 64);
  pages.push_back({.kind = PageKind::style, .path = "style.css"});
  add_home_pages(pages, options);
  pages.push_back({.kind = PageKind::opml, .path = "sources.opml"});
  for (const auto& site : model.sites()) {
    add_site_pages(pages, site, options);
    for (std::size_t i = 0; i < site.months.size(); ++i) add_month_pages(pages, site, i, options);
  }
  for (const auto& article : model.articles()) add_article_pages(pages, article, model, options);
  add_sitemap_pages(pages, model.sitemap_chunks(), options);
  return pages;
}

std::optional<PageSpec> page_at(const SiteModel& model, const RenderOptions& options,
                                std::string_view path) {
  std::string variant;
  std::string base(path);
  for (const auto& v : options.variants) {
    std::string suffix = "." + v + ".html";
    if (ends_with(path, suffix)) {
      variant = v;
      base = std::string(path.substr(0, path.size() - suffix.size())) + ".html";
      break;
    }
  }
  auto html = [&](PageSpec page) -> std::optional<PageSpec> {
    page.variant = variant;
    page.path = std::string(path);
    return page;
  };
  auto not_html = [&](PageSpec page) -> std::optional<PageSpec> {
    if (!variant.empty()) return std::nullopt;
    page.path = std::string(path);
    return page;
  };
  if (base == "index.html") return html({.kind = PageKind::home});
  if (base == "style.css") return not_html({.kind = PageKind::style});
  if (base == "sources.opml") return not_html({.kind = PageKind::opml});
  for (auto format : kFeedFormats) {
    if (base == feed_path(nullptr, format)) return not_html({.kind = PageKind::feed, .format = std::string(format)});
  }
  if (!options.base_url.empty()) {
    if (base == "sitemap.xml") return not_html({.kind = PageKind::sitemap_index});
    if (base == "sitemap-lists.xml") return not_html({.kind = PageKind::sitemap_lists});
    for (auto chunk : model.sitemap_chunks()) {
      if (base == sitemap_chunk_path(chunk)) return not_html({.kind = PageKind::sitemap_articles, .chunk = chunk});
    }
  }
  if (!starts_with(base, "sites/")) return std::nullopt;
  std::string_view rest = std::string_view(base).substr(6);
  auto slash = rest.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  const SiteListing* site = model.find_site(rest.substr(0, slash));
  if (!site) return std::nullopt;
  std::string_view name = rest.substr(slash + 1);
  if (name.find('/') != std::string_view::npos) return std::nullopt;
  if (name == "index.html") return html({.kind = PageKind::site_index, .site = site});
  for (auto format : kFeedFormats) {
    if (name == "feed." + std::string(format)) {
      return not_html({.kind = PageKind::feed, .site = site, .format = std::string(format)});
    }
  }
  if (const auto* article = model.find_by_page(base)) {
    return html({.kind = PageKind::article, .article = article});
  }
  for (std::size_t i = 0; i < site->months.size(); ++i) {
    if (name == site->months[i].year_month + ".html") return html({.kind = PageKind::month, .site = site, .month = i});
  }
  // <stem>.v<K>.html: an earlier version.
  if (ends_with(name, ".html")) {
    auto stem_and_version = name.substr(0, name.size() - 5);
    auto dot_v = stem_and_version.rfind(".v");
    if (dot_v != std::string_view::npos) {
      auto digits = stem_and_version.substr(dot_v + 2);
      int ordinal = 0;
      auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), ordinal);
      if (error == std::errc() && end == digits.data() + digits.size()) {
        std::string article_page = "sites/" + site->name + "/" +
                                   std::string(stem_and_version.substr(0, dot_v)) + ".html";
        const auto* article = model.find_by_page(article_page);
        if (article && ordinal >= 1 && ordinal < model.version_count(*article)) {
          return html({.kind = PageKind::version, .article = article, .ordinal = ordinal});
        }
      }
    }
  }
  return std::nullopt;
}

std::uint64_t fingerprint(const PageSpec& page, const SiteModel& model, std::string_view salt) {
  Fingerprint f;
  f.add(salt).add(page.path).add(page.variant).add(static_cast<std::int64_t>(page.kind));
  switch (page.kind) {
    case PageKind::style:
    case PageKind::opml:
      break;  // the salt covers templates and config
    case PageKind::home:
      for (const auto& site : model.sites()) {
        f.add(site.name).add(static_cast<std::int64_t>(site.count));
        if (!site.articles.empty()) f.add(site.articles.front()->when.time_since_epoch().count());
      }
      for (const auto* article : model.newest(kNewestCount)) add_list_item(f, *article, model);
      break;
    case PageKind::site_index: {
      const auto& site = *page.site;
      f.add(site.name).add(static_cast<std::int64_t>(site.count));
      for (std::size_t i = 0; i < std::min(kNewestCount, site.articles.size()); ++i)
        add_list_item(f, *site.articles[i], model);
      for (const auto& month : site.months)
        f.add(month.year_month).add(static_cast<std::int64_t>(month.count));
      break;
    }
    case PageKind::month: {
      const auto& site = *page.site;
      const auto& month = site.months[page.month];
      f.add(site.name).add(month.year_month);
      for (const auto* article : month.articles) add_list_item(f, *article, model);
      f.add(page.month > 0 ? site.months[page.month - 1].year_month : "");
      f.add(page.month + 1 < site.months.size() ? site.months[page.month + 1].year_month : "");
      break;
    }
    case PageKind::article:
    case PageKind::version:
      add_article(f, *page.article, model);
      f.add(model.year_month(*page.article)).add(page.ordinal);
      break;
    case PageKind::feed:
      f.add(page.format);
      for (const auto* article : feed_articles(page, model)) add_article(f, *article, model);
      break;
    case PageKind::sitemap_index:
      for (auto chunk : model.sitemap_chunks()) f.add(static_cast<std::int64_t>(chunk));
      break;
    case PageKind::sitemap_lists:
      for (const auto& site : model.sites()) {
        f.add(site.name);
        for (const auto& month : site.months) f.add(month.year_month);
      }
      break;
    case PageKind::sitemap_articles:
      for (const auto& article : sitemap_chunk_articles(model, page.chunk)) f.add(article.site()).add(article.stem());
      break;
  }
  return f.value();
}

std::string content_type_of(const PageSpec& page) {
  switch (page.kind) {
    case PageKind::style: return "text/css; charset=utf-8";
    case PageKind::opml: return "text/x-opml; charset=utf-8";
    case PageKind::sitemap_index:
    case PageKind::sitemap_lists:
    case PageKind::sitemap_articles: return "application/xml; charset=utf-8";
    case PageKind::feed:
      if (page.format == "atom") return "application/atom+xml; charset=utf-8";
      if (page.format == "rss") return "application/rss+xml; charset=utf-8";
      return "application/feed+json; charset=utf-8";
    default: return "text/html; charset=utf-8";
  }
}

struct PageMaker::Impl {
  const Templates& templates;
  const RenderOptions& options;
  const SiteModel& model;
  catalog::Catalog& catalog;
  std::string opml;
  std::unique_ptr<PageRenderer> renderer;

  core::Result<std::string> current_html(const catalog::Article& article) {
    auto html = catalog.version_html(article.current_version);
    if (!html) return html.error().with_context(article.file);
    return html;
  }

  // The catalog row of a listed article: what its page and feed entries
  // show beyond the list.
  core::Result<catalog::Article> row_of(const ListedArticle& article) {
    auto row = catalog.find(article.id);
    if (!row) return core::Error(core::ErrorKind::internal, article_path(article) + ": no longer in the catalog");
    return std::move(*row);
  }

  // Each scope's entries (nullptr: every site), read once for its three
  // formats: decompressing fifty articles was most of an incremental
  // build's work when done per feed. Good for the model's life, which is
  // this maker's: new content means a new model.
  std::unordered_map<const SiteListing*, std::vector<FeedEntry>> feed_entries;

  core::Result<std::string> feed(const PageSpec& page) {
    auto known = feed_entries.find(page.site);
    if (known == feed_entries.end()) {
      std::vector<FeedEntry> read;
      for (const auto* article : feed_articles(page, model)) {
        auto row = row_of(*article);
        if (!row) return row.error();
        auto html = current_html(*row);
        if (!html) return html.error();
        // Sanitized once here, not once per feed format.
        read.push_back({std::move(*row), safe_article_html(*html)});
      }
      known = feed_entries.emplace(page.site, std::move(read)).first;
    }
    const auto& entries = known->second;
    FeedInfo info{.title = page.site ? page.site->name + " · " + options.title : options.title,
                  .path = feed_path(page.site, page.format),
                  .page_path = page.site ? site_index_path(page.site->name) : "index.html",
                  .base_url = options.base_url,
                  .language = "zh"};
    if (page.format == "atom") return atom_feed(info, entries);
    if (page.format == "rss") return rss_feed(info, entries);
    return json_feed(info, entries);
  }

  core::Result<std::string> version(const PageSpec& page) {
    auto article = row_of(*page.article);
    if (!article) return article.error();
    auto versions = catalog.versions(article->id);
    if (page.ordinal < 1 || static_cast<std::size_t>(page.ordinal) > versions.size()) {
      return core::Error(core::ErrorKind::database,
                         article->file + ": no version " + std::to_string(page.ordinal));
    }
    auto html = catalog.version_html(versions[static_cast<std::size_t>(page.ordinal) - 1].id);
    if (!html) return html.error().with_context(article->file);
    return renderer->article(*article, *html, versions, page.ordinal, page.variant);
  }
};

core::Result<std::unique_ptr<PageMaker>> PageMaker::create(const Templates& templates,
                                                           const RenderOptions& options,
                                                           const SiteModel& model,
                                                           catalog::Catalog& catalog,
                                                           std::string opml) {
  auto renderer = PageRenderer::create(templates, options, model);
  if (!renderer) return renderer.error();
  auto impl = std::unique_ptr<Impl>(
      new Impl{templates, options, model, catalog, std::move(opml), std::move(*renderer), {}});
  return std::unique_ptr<PageMaker>(new PageMaker(std::move(impl)));
}

PageMaker::PageMaker(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
PageMaker::~PageMaker() = default;
PageRenderer& PageMaker::renderer() { return *impl_->renderer; }

core::Result<std::string> PageMaker::make(const PageSpec& page) {
  auto& m = *impl_;
  switch (page.kind) {
    case PageKind::style: return std::string(m.templates.get("style.css"));
    case PageKind::home: return m.renderer->home(page.variant);
    case PageKind::site_index: return m.renderer->site_index(*page.site, page.variant);
    case PageKind::month: return m.renderer->month(*page.site, page.month, page.variant);
    case PageKind::article: {
      auto article = m.row_of(*page.article);
      if (!article) return article.error();
      auto html = m.current_html(*article);
      if (!html) return html.error();
      std::vector<catalog::Version> versions;
      if (m.model.version_count(*page.article) > 1) versions = m.catalog.versions(page.article->id);
      return m.renderer->article(*article, *html, versions, std::nullopt, page.variant);
    }
    case PageKind::version: return m.version(page);
    case PageKind::feed: return m.feed(page);
    case PageKind::opml: return m.opml;
    case PageKind::sitemap_index: {
      std::vector<std::string> paths = {"sitemap-lists.xml"};
      for (auto chunk : m.model.sitemap_chunks()) paths.push_back(sitemap_chunk_path(chunk));
      return sitemap_index(m.options.base_url, paths);
    }
    case PageKind::sitemap_lists: {
      std::vector<std::string> paths = {"index.html"};
      for (const auto& site : m.model.sites()) {
        paths.push_back(site_index_path(site.name));
        for (const auto& month : site.months) paths.push_back(month_path(site.name, month.year_month));
      }
      return sitemap(m.options.base_url, paths);
    }
    case PageKind::sitemap_articles: {
      std::vector<std::string> paths;
      for (const auto& article : sitemap_chunk_articles(m.model, page.chunk)) paths.push_back(article_path(article));
      return sitemap(m.options.base_url, paths);
    }
  }
  return core::Error(core::ErrorKind::internal, "unknown page kind");
}

}  // namespace newsmirror::site
