#include "site/feeds.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <libxml/entities.h>
#include <libxml/xmlwriter.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <memory>

#include "core/hash.hpp"
#include "site/safe_content.hpp"
#include "site/site_paths.hpp"

namespace newsmirror::site {

namespace {

// Builds one XML document in memory with libxml2's writer, which does the
// escaping; the calls below cannot fail short of running out of memory.
class XmlDocument {
 public:
  XmlDocument() : buffer_(xmlBufferCreate(), xmlBufferFree) {
    writer_ = xmlNewTextWriterMemory(buffer_.get(), 0);
    xmlTextWriterSetIndent(writer_, 1);
    xmlTextWriterSetIndentString(writer_, BAD_CAST " ");
    xmlTextWriterStartDocument(writer_, "1.0", "UTF-8", nullptr);
  }
  ~XmlDocument() {
    if (writer_) xmlFreeTextWriter(writer_);
  }
  XmlDocument(const XmlDocument&) = delete;
  XmlDocument& operator=(const XmlDocument&) = delete;

  void open(const char* name) { xmlTextWriterStartElement(writer_, BAD_CAST name); }
  void close() { xmlTextWriterEndElement(writer_); }
  void attribute(const char* name, std::string_view value) {
    xmlTextWriterWriteAttribute(writer_, BAD_CAST name, BAD_CAST std::string(value).c_str());
  }
  void text(std::string_view text) {
    xmlTextWriterWriteString(writer_, BAD_CAST std::string(text).c_str());
  }
  void element(const char* name, std::string_view text) {
    xmlTextWriterWriteElement(writer_, BAD_CAST name, BAD_CAST std::string(text).c_str());
  }
  std::string finish() {
    xmlTextWriterEndDocument(writer_);
    xmlFreeTextWriter(writer_);
    writer_ = nullptr;
    return std::string(reinterpret_cast<const char*>(xmlBufferContent(buffer_.get())),
                       static_cast<std::size_t>(xmlBufferLength(buffer_.get())));
  }

 private:
  std::unique_ptr<xmlBuffer, decltype(&xmlBufferFree)> buffer_;
  xmlTextWriterPtr writer_ = nullptr;
};

std::chrono::sys_seconds seconds(core::TimePoint t) {
  return std::chrono::floor<std::chrono::seconds>(t);
}

std::string rfc3339(core::TimePoint t) { return fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", seconds(t)); }
std::string rfc822(core::TimePoint t) { return fmt::format("{:%a, %d %b %Y %H:%M:%S +0000}", seconds(t)); }

std::string entry_id(const FeedEntry& entry) {
  return "urn:newsmirror:article:" + core::sha256_hex(entry.article.identity).substr(0, 32);
}

// Article HTML links its images relative to articles/<site>/ (two folders
// deep); a feed elsewhere, or read from elsewhere, needs them from its own
// place.
std::string rebase_images(const FeedInfo& info, std::string html) {
  static constexpr std::string_view kFromArticle = "=\"../../assets/";
  std::string replacement = "=\"" + feed_link(info, "assets/");
  for (std::size_t at = 0; (at = html.find(kFromArticle, at)) != std::string::npos;) {
    html.replace(at, kFromArticle.size(), replacement);
    at += replacement.size();
  }
  return html;
}

core::TimePoint newest_time(const std::vector<FeedEntry>& entries) {
  core::TimePoint newest{};
  for (const auto& entry : entries) newest = std::max(newest, listed_time(entry.article));
  return newest;
}

}  // namespace

std::string feed_link(const FeedInfo& info, std::string_view path) {
  if (!info.base_url.empty()) return info.base_url + href(path);
  return root_prefix(info.path) + href(path);
}

std::string atom_feed(const FeedInfo& info, const std::vector<FeedEntry>& entries) {
  XmlDocument xml;
  xml.open("feed");
  xml.attribute("xmlns", "http://www.w3.org/2005/Atom");
  xml.attribute("xml:lang", info.language);
  xml.element("title", info.title);
  xml.element("id", "urn:newsmirror:feed:" + core::sha256_hex(info.title + '\n' + info.path).substr(0, 32));
  xml.element("updated", rfc3339(newest_time(entries)));
  xml.open("link");
  xml.attribute("rel", "self");
  xml.attribute("type", "application/atom+xml");
  xml.attribute("href", feed_link(info, info.path));
  xml.close();
  xml.open("link");
  xml.attribute("rel", "alternate");
  xml.attribute("type", "text/html");
  xml.attribute("href", feed_link(info, info.page_path));
  xml.close();
  xml.element("generator", "newsmirror");
  for (const auto& entry : entries) {
    const auto& article = entry.article;
    xml.open("entry");
    xml.element("title", article.title);
    xml.element("id", entry_id(entry));
    xml.open("link");
    xml.attribute("rel", "alternate");
    xml.attribute("type", "text/html");
    xml.attribute("href", feed_link(info, article_path(article)));
    xml.close();
    if (auto link = safe_link(article.link)) {
      xml.open("link");
      xml.attribute("rel", "via");
      xml.attribute("href", *link);
      xml.close();
    }
    if (article.published) xml.element("published", rfc3339(*article.published));
    xml.element("updated", rfc3339(listed_time(article)));
    xml.open("author");
    xml.element("name", article.site);
    xml.close();
    xml.open("content");
    xml.attribute("type", "html");
    xml.text(rebase_images(info, entry.html));
    xml.close();
    xml.close();
  }
  xml.close();
  return xml.finish();
}

std::string rss_feed(const FeedInfo& info, const std::vector<FeedEntry>& entries) {
  XmlDocument xml;
  xml.open("rss");
  xml.attribute("version", "2.0");
  xml.attribute("xmlns:atom", "http://www.w3.org/2005/Atom");
  xml.open("channel");
  xml.element("title", info.title);
  xml.element("link", feed_link(info, info.page_path));
  xml.element("description", info.title);
  xml.element("language", info.language);
  xml.element("generator", "newsmirror");
  xml.element("lastBuildDate", rfc822(newest_time(entries)));
  xml.open("atom:link");
  xml.attribute("rel", "self");
  xml.attribute("type", "application/rss+xml");
  xml.attribute("href", feed_link(info, info.path));
  xml.close();
  for (const auto& entry : entries) {
    const auto& article = entry.article;
    xml.open("item");
    xml.element("title", article.title);
    xml.element("link", feed_link(info, article_path(article)));
    xml.open("guid");
    xml.attribute("isPermaLink", "false");
    xml.text(entry_id(entry));
    xml.close();
    xml.element("pubDate", rfc822(listed_time(article)));
    xml.element("category", article.site);
    xml.element("description", rebase_images(info, entry.html));
    xml.close();
  }
  xml.close();
  xml.close();
  return xml.finish();
}

std::string json_feed(const FeedInfo& info, const std::vector<FeedEntry>& entries) {
  nlohmann::ordered_json items = nlohmann::ordered_json::array();
  for (const auto& entry : entries) {
    const auto& article = entry.article;
    nlohmann::ordered_json item = {{"id", entry_id(entry)},
                                   {"url", feed_link(info, article_path(article))}};
    if (auto link = safe_link(article.link)) item["external_url"] = *link;
    item["title"] = article.title;
    item["content_html"] = rebase_images(info, entry.html);
    item["date_published"] = rfc3339(listed_time(article));
    item["authors"] = nlohmann::ordered_json::array({{{"name", article.site}}});
    item["tags"] = nlohmann::ordered_json::array({article.site});
    items.push_back(std::move(item));
  }
  nlohmann::ordered_json feed = {{"version", "https://jsonfeed.org/version/1.1"},
                                 {"title", info.title},
                                 {"home_page_url", feed_link(info, info.page_path)},
                                 {"feed_url", feed_link(info, info.path)},
                                 {"language", info.language},
                                 {"items", std::move(items)}};
  // Invalid UTF-8 cannot come from the catalog (it stores validated text),
  // but a replacement character is better than an exception if it does.
  return feed.dump(1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

// Sitemaps hold up to 50,000 URLs, all alike: written directly rather than
// through the XML writer, which costs a hundred times more per URL. A URL
// is the base URL, escaped once, and a percent-encoded path, which holds
// nothing XML would need escaped.
namespace {

std::string url_list(std::string_view root, std::string_view item, std::string_view base_url,
                     const std::vector<std::string>& paths) {
  xmlChar* escaped = xmlEncodeSpecialChars(nullptr, BAD_CAST std::string(base_url).c_str());
  const std::string escaped_base = escaped ? reinterpret_cast<const char*>(escaped) : "";
  xmlFree(escaped);
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<";
  out += root;
  out += " xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n";
  for (const auto& path : paths) {
    out += " <";
    out += item;
    out += "><loc>";
    out += escaped_base;
    out += href(path);
    out += "</loc></";
    out += item;
    out += ">\n";
  }
  out += "</";
  out += root;
  out += ">\n";
  return out;
}

}  // namespace

std::string sitemap(std::string_view base_url, const std::vector<std::string>& paths) {
  return url_list("urlset", "url", base_url, paths);
}

std::string sitemap_index(std::string_view base_url, const std::vector<std::string>& sitemap_paths) {
  return url_list("sitemapindex", "sitemap", base_url, sitemap_paths);
}

}  // namespace newsmirror::site
