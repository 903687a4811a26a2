// How the main text is found. The page is parsed into the clean module's
// tree, stripped of scripts and styles, and walked once: hidden blocks,
// bylines and blocks whose class or id says "sidebar", "comments",
// "footer"... are dropped; <div>s holding only inline content become
// paragraphs. Every paragraph-like block of 25+ characters then scores
// (1 + commas + a point per 100 characters, up to 3) and hands the score to
// its five nearest ancestors, less the further up they are. Ancestors start
// with a bias from their tag and from class/id words ("article", "content"
// +25; "comment", "share" -25), and end scaled by the share of their text
// that is not link text. The best one, widened to a parent that scores as
// well or contains several other good candidates, is the article; siblings
// that score near it or read as prose join it. The result is cleaned of
// forms, link lists and other low-text blocks judged by their ratios of
// paragraphs, images, list items, links and headings. When the result is
// short, the walk runs again with the class/id rules relaxed in turn.
#include "extract/extractor.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <unordered_map>
#include <unordered_set>

#include "core/ascii.hpp"
#include "core/url.hpp"
#include "extract/dom_text.hpp"
#include "extract/page_metadata.hpp"
#include "parse/date.hpp"

namespace newsmirror::extract {

namespace {

constexpr size_t kMinArticleChars = 500;
constexpr size_t kTopCandidates = 5;
constexpr size_t kAncestorsScored = 5;

// ----------------------------------------------------------- word hints -----

bool contains_any(std::string_view haystack_lower, std::initializer_list<std::string_view> needles) {
  for (auto needle : needles)
    if (haystack_lower.find(needle) != std::string_view::npos) return true;
  return false;
}

// Class/id words of page furniture a reader never wants.
bool is_unlikely_hint(std::string_view s) {
  return contains_any(s, {"-ad-", "ai2html", "banner", "breadcrumbs", "combx", "comment", "community", "cover-wrap",
                          "disqus", "extra", "footer", "gdpr", "header", "legends", "menu", "related", "remark",
                          "replies", "rss", "shoutbox", "sidebar", "skyscraper", "social", "sponsor", "supplemental",
                          "ad-break", "agegate", "pagination", "pager", "popup", "yom-remote"});
}
// Words that rescue a block the list above would drop ("main-header-content").
bool is_maybe_content_hint(std::string_view s) {
  return contains_any(s, {"and", "article", "body", "column", "content", "main", "mathjax", "shadow"});
}
bool is_positive_hint(std::string_view s) {
  return contains_any(s, {"article", "body", "content", "entry", "hentry", "h-entry", "main", "page", "pagination",
                          "post", "text", "blog", "story"});
}
bool is_negative_hint(std::string_view s) {
  if (s == "hid" || s.starts_with("hid ") || s.ends_with(" hid") || s.find(" hid ") != std::string_view::npos)
    return true;
  return contains_any(s, {"-ad-", "hidden", "banner", "combx", "comment", "com-", "contact", "footer", "gdpr",
                          "masthead", "media", "meta", "outbrain", "promo", "related", "scroll", "share", "shoutbox",
                          "sidebar", "skyscraper", "sponsor", "shopping", "tags", "widget"});
}
bool is_byline_hint(std::string_view s) {
  return contains_any(s, {"byline", "author", "dateline", "writtenby", "p-author"});
}
// "share" or "sharedaddy" as a whole word (underscores count as breaks).
bool is_share_hint(std::string_view s) {
  for (std::string_view word : {std::string_view("sharedaddy"), std::string_view("share")}) {
    for (size_t at = s.find(word); at != std::string_view::npos; at = s.find(word, at + 1)) {
      auto is_word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; };
      bool start_ok = at == 0 || !is_word(s[at - 1]);
      size_t end = at + word.size();
      bool end_ok = end == s.size() || !is_word(s[end]);
      if (start_ok && end_ok) return true;
    }
  }
  return false;
}
bool is_video_url(std::string_view value) {
  std::string s = core::ascii_lower(value);
  return contains_any(s, {"//www.dailymotion.com", "//dailymotion.com", "//www.youtube.com", "//youtube.com",
                          "//www.youtube-nocookie.com", "//youtube-nocookie.com", "//player.vimeo.com",
                          "//v.qq.com", "//archive.org", "//upload.wikimedia.org", "//player.twitch.tv"});
}
bool is_unlikely_role(std::string_view role) {
  for (auto r : {"menu", "menubar", "complementary", "navigation", "alert", "alertdialog", "dialog"})
    if (role == r) return true;
  return false;
}

bool tag_in(const Node& node, std::initializer_list<std::string_view> tags) {
  return node.kind == Node::Kind::element && std::find(tags.begin(), tags.end(), node.tag) != tags.end();
}

// ------------------------------------------------------------ tree shape ----

Node* next_element_sibling(const Node& node) {
  const Node* parent = node.parent();
  if (!parent) return nullptr;
  const auto& siblings = parent->children();
  for (size_t i = node.index_in_parent() + 1; i < siblings.size(); ++i)
    if (siblings[i]->kind == Node::Kind::element) return siblings[i].get();
  return nullptr;
}

Node* first_element_child(const Node& node) {
  for (const auto& child : node.children())
    if (child->kind == Node::Kind::element) return child.get();
  return nullptr;
}

// Document order over elements; `skip_children` steps over the subtree.
Node* next_in_walk(const Node& node, bool skip_children) {
  if (!skip_children)
    if (Node* child = first_element_child(node)) return child;
  for (const Node* n = &node; n; n = n->parent())
    if (Node* sibling = next_element_sibling(*n)) return sibling;
  return nullptr;
}

bool is_whitespace_node(const Node& node) {
  if (node.kind == Node::Kind::text) return collapse_spaces(node.text).empty();
  return node.is_element("br");
}

bool is_phrasing(const Node& node) {
  if (node.kind == Node::Kind::text) return true;
  if (node.kind != Node::Kind::element) return false;
  static const std::unordered_set<std::string_view> phrasing = {
      "abbr",  "audio",  "b",     "bdo",    "br",       "button", "cite",   "code",     "data",
      "datalist", "dfn", "em",    "embed",  "i",        "img",    "input",  "kbd",      "label",
      "mark",  "math:math", "meter", "noscript", "object", "output", "progress", "q",   "ruby",
      "samp",  "script", "select", "small", "span",     "strong", "sub",    "sup",      "textarea",
      "time",  "var",    "wbr"};
  if (phrasing.contains(node.tag)) return true;
  if (tag_in(node, {"a", "del", "ins"}))
    return std::all_of(node.children().begin(), node.children().end(),
                       [](const auto& child) { return is_phrasing(*child); });
  return false;
}

bool has_single_child_tag(const Node& node, std::string_view tag) {
  size_t elements = 0;
  const Node* only = nullptr;
  for (const auto& child : node.children()) {
    if (child->kind == Node::Kind::element) {
      ++elements;
      only = child.get();
    } else if (child->kind == Node::Kind::text && !collapse_spaces(child->text).empty()) {
      return false;
    }
  }
  return elements == 1 && only->tag == tag;
}

bool has_block_child(const Node& node) {
  for (const auto& child : node.children()) {
    if (child->kind != Node::Kind::element) continue;
    if (tag_in(*child, {"blockquote", "dl", "div", "img", "ol", "p", "pre", "table", "ul"}) || has_block_child(*child))
      return true;
  }
  return false;
}

bool is_without_content(const Node& node) {
  if (!inner_text(node).empty()) return false;
  size_t elements = element_children(node).size();
  return elements == 0 || elements == descendants_by_tag(node, {"br", "hr"}).size();
}

bool is_probably_visible(const Node& node) {
  std::string style = core::ascii_lower(attr(node, "style"));
  style.erase(std::remove_if(style.begin(), style.end(), [](char c) { return std::isspace(static_cast<unsigned char>(c)); }),
              style.end());
  if (style.find("display:none") != std::string::npos || style.find("visibility:hidden") != std::string::npos)
    return false;
  if (node.attribute("hidden")) return false;
  if (attr(node, "aria-hidden") == "true" && !node.has_class("fallback-image")) return false;
  return true;
}

size_t text_length(const Node& node) { return char_count(inner_text(node)); }

double link_density(const Node& node) {
  size_t total = text_length(node);
  if (total == 0) return 0;
  double links = 0;
  for (Node* a : descendants_by_tag(node, {"a"})) {
    std::string_view href = attr(*a, "href");
    double weight = (href.size() > 1 && href[0] == '#') ? 0.3 : 1.0;  // in-page anchors are often footnotes
    links += static_cast<double>(text_length(*a)) * weight;
  }
  return links / static_cast<double>(total);
}

size_t comma_count(std::string_view text) {
  // ASCII, Arabic, small and full-width commas and the like.
  static const std::string_view commas[] = {",", "\u060C", "\uFE50", "\uFE10", "\uFE11", "\u2E41", "\u2E34", "\u2E32", "\uFF0C"};
  size_t count = 0;
  for (auto comma : commas)
    for (size_t at = text.find(comma); at != std::string_view::npos; at = text.find(comma, at + comma.size())) ++count;
  return count;
}

// ------------------------------------------------------- page preparation ---

// Drops what is never article text and turns <br><br> runs into paragraphs.
void prepare_page(Node& document) {
  std::vector<Node*> doomed;
  for_each_descendant(document, [&](Node& n) {
    if (n.kind == Node::Kind::comment || tag_in(n, {"script", "noscript", "style", "template"})) doomed.push_back(&n);
  });
  // A doomed node inside a doomed node is destroyed with it; detach outer ones only.
  std::unordered_set<const Node*> doomed_set(doomed.begin(), doomed.end());
  std::vector<Node*> outermost;
  for (Node* n : doomed) {
    bool inside_doomed = false;
    for (const Node* up = n->parent(); up; up = up->parent())
      if (doomed_set.contains(up)) inside_doomed = true;
    if (!inside_doomed) outermost.push_back(n);
  }
  for (Node* n : outermost) n->detach();

  for (Node* font : descendants_by_tag(document, {"font"})) font->tag = "span";

  // <br><br>: everything inline after the pair up to the next pair is a paragraph.
  auto next_meaningful = [](Node* node) -> Node* {
    while (node && node->kind == Node::Kind::text && collapse_spaces(node->text).empty()) {
      const Node* parent = node->parent();
      size_t i = node->index_in_parent() + 1;
      node = i < parent->children().size() ? parent->children()[i].get() : nullptr;
    }
    return node;
  };
  auto next_sibling = [](Node* node) -> Node* {
    const Node* parent = node->parent();
    size_t i = node->index_in_parent() + 1;
    return i < parent->children().size() ? parent->children()[i].get() : nullptr;
  };
  std::vector<std::unique_ptr<Node>> removed;  // alive until the loop ends: later <br>s may be among them
  for (Node* br : descendants_by_tag(document, {"br"})) {
    if (!br->parent()) continue;  // removed as part of an earlier run
    bool replaced = false;
    Node* next = next_meaningful(next_sibling(br));
    while (next && next->is_element("br")) {
      replaced = true;
      Node* after = next_sibling(next);
      removed.push_back(next->detach());
      next = next_meaningful(after);
    }
    if (!replaced) continue;
    Node* parent = br->parent();
    size_t at = br->index_in_parent();
    removed.push_back(br->detach());
    Node* p = parent->insert_child(at, Node::make_element("p"));
    for (Node* sibling = next_sibling(p); sibling;) {
      if (sibling->is_element("br")) {
        Node* after = next_meaningful(next_sibling(sibling));
        if (after && after->is_element("br")) break;
      }
      if (!is_phrasing(*sibling)) break;
      Node* following = next_sibling(sibling);
      p->append_child(sibling->detach());
      sibling = following;
    }
    while (!p->children().empty() && is_whitespace_node(*p->children().back()))
      removed.push_back(p->children().back()->detach());
    if (p->parent()->is_element("p")) p->parent()->tag = "div";
  }
}

// ------------------------------------------------------------- the grab ----

struct Flags {
  bool strip_unlikely = true;
  bool weight_classes = true;
  bool clean_conditionally = true;
};

class ArticleGrabber {
 public:
  ArticleGrabber(Flags flags, const std::string& title, std::optional<std::string>& byline)
      : flags_(flags), title_(title), byline_(byline) {}

  // Moves the article out of `document` into a new <div>; nullptr if the page has no body.
  std::unique_ptr<Node> grab(Node& document);

 private:
  void drop(Node* node) { removed_.push_back(node->detach()); }
  Node* drop_and_next(Node* node) {
    Node* next = next_in_walk(*node, true);
    drop(node);
    return next;
  }
  bool take_byline(const Node& node, const std::string& hints);
  void wrap_inline_runs(Node& div);
  int class_weight(const Node& node) const;
  void initialize(Node* node);
  Node* choose_top_candidate(Node& body, bool& created);
  std::unique_ptr<Node> gather_with_siblings(Node* top);
  void prepare_article(Node& article);
  void mark_data_tables(Node& article);
  void remove_by_tag(Node& article, std::string_view tag);
  void clean_conditionally(Node& article, std::string_view tag);
  bool should_remove_conditionally(const Node& node, std::string_view tag);

  Flags flags_;
  const std::string& title_;
  std::optional<std::string>& byline_;
  std::unordered_map<const Node*, double> scores_;
  std::vector<Node*> candidates_;  // in the order they got a score
  std::unordered_set<const Node*> data_tables_;
  std::vector<std::unique_ptr<Node>> removed_;  // kept alive so no address is reused while scores_ holds it
};

int ArticleGrabber::class_weight(const Node& node) const {
  if (!flags_.weight_classes) return 0;
  int weight = 0;
  for (const char* name : {"class", "id"}) {
    std::string value = core::ascii_lower(attr(node, name));
    if (value.empty()) continue;
    if (is_negative_hint(value)) weight -= 25;
    if (is_positive_hint(value)) weight += 25;
  }
  return weight;
}

void ArticleGrabber::initialize(Node* node) {
  double score = class_weight(*node);
  if (node->is_element("div")) score += 5;
  else if (tag_in(*node, {"pre", "td", "blockquote"})) score += 3;
  else if (tag_in(*node, {"address", "ol", "ul", "dl", "dd", "dt", "li", "form"})) score -= 3;
  else if (tag_in(*node, {"h1", "h2", "h3", "h4", "h5", "h6", "th"})) score -= 5;
  scores_[node] = score;
  candidates_.push_back(node);
}

bool ArticleGrabber::take_byline(const Node& node, const std::string& hints) {
  if (byline_) return false;
  bool marked = attr(node, "rel") == "author" || attr(node, "itemprop").find("author") != std::string_view::npos ||
                is_byline_hint(core::ascii_lower(hints));
  if (!marked) return false;
  std::string text = collapse_spaces(node.text_content());
  if (text.empty() || char_count(text) >= 100) return false;
  byline_ = text;
  return true;
}

// Inline content sitting directly in a <div> beside blocks becomes <p>s, so
// it is scored like the paragraphs around it.
void ArticleGrabber::wrap_inline_runs(Node& div) {
  Node* p = nullptr;
  size_t i = 0;
  while (i < div.children().size()) {
    Node* child = div.children()[i].get();
    if (is_phrasing(*child)) {
      if (p) {
        p->append_child(child->detach());
        continue;
      }
      if (!is_whitespace_node(*child)) {
        p = div.insert_child(i, Node::make_element("p"));
        p->append_child(div.children()[i + 1]->detach());
      }
    } else if (p) {
      while (!p->children().empty() && is_whitespace_node(*p->children().back())) p->children().back()->detach();
      p = nullptr;
    }
    ++i;
  }
}

std::unique_ptr<Node> ArticleGrabber::grab(Node& document) {
  Node* html = html_element(document);
  Node* body = html ? child_by_tag(*html, "body") : nullptr;
  if (!body) return nullptr;

  bool remove_title_heading = !title_.empty();
  std::vector<Node*> to_score;
  for (Node* node = html; node;) {
    std::string hints = class_and_id(*node);
    std::string hints_lower = core::ascii_lower(hints);
    if (!is_probably_visible(*node)) {
      node = drop_and_next(node);
      continue;
    }
    if (attr(*node, "aria-modal") == "true" && attr(*node, "role") == "dialog") {
      node = drop_and_next(node);
      continue;
    }
    if (take_byline(*node, hints)) {
      node = drop_and_next(node);
      continue;
    }
    if (remove_title_heading && tag_in(*node, {"h1", "h2"}) && text_similarity(title_, inner_text(*node)) > 0.75) {
      remove_title_heading = false;
      node = drop_and_next(node);
      continue;
    }
    if (flags_.strip_unlikely) {
      if (is_unlikely_hint(hints_lower) && !is_maybe_content_hint(hints_lower) && !has_ancestor_tag(*node, "table") &&
          !has_ancestor_tag(*node, "code") && !tag_in(*node, {"body", "a"})) {
        node = drop_and_next(node);
        continue;
      }
      if (is_unlikely_role(attr(*node, "role"))) {
        node = drop_and_next(node);
        continue;
      }
    }
    if (tag_in(*node, {"div", "section", "header", "h1", "h2", "h3", "h4", "h5", "h6"}) && is_without_content(*node)) {
      node = drop_and_next(node);
      continue;
    }
    if (tag_in(*node, {"section", "h2", "h3", "h4", "h5", "h6", "p", "td", "pre"})) to_score.push_back(node);

    if (node->is_element("div")) {
      wrap_inline_runs(*node);
      if (has_single_child_tag(*node, "p") && link_density(*node) < 0.25) {
        // A wrapper around one paragraph: the paragraph takes its place.
        Node* parent = node->parent();
        size_t at = node->index_in_parent();
        std::unique_ptr<Node> p = first_element_child(*node)->detach();
        drop(node);
        node = parent->insert_child(at, std::move(p));
        to_score.push_back(node);
      } else if (!has_block_child(*node)) {
        node->tag = "p";
        to_score.push_back(node);
      }
    }
    node = next_in_walk(*node, false);
  }

  for (Node* element : to_score) {
    Node* parent = element->parent();
    if (!parent || parent->kind != Node::Kind::element) continue;
    std::string text = inner_text(*element);
    size_t length = char_count(text);
    if (length < 25) continue;
    double score = 1 + static_cast<double>(comma_count(text)) + std::min<double>(std::floor(length / 100.0), 3);
    size_t level = 0;
    for (Node* ancestor = parent; ancestor && level < kAncestorsScored; ancestor = ancestor->parent(), ++level) {
      if (ancestor->kind != Node::Kind::element || !ancestor->parent() ||
          ancestor->parent()->kind != Node::Kind::element)
        continue;
      if (!scores_.contains(ancestor)) initialize(ancestor);
      double divider = level == 0 ? 1 : level == 1 ? 2 : static_cast<double>(level) * 3;
      scores_[ancestor] += score / divider;
    }
  }

  bool created = false;
  Node* top = choose_top_candidate(*body, created);
  std::unique_ptr<Node> article = gather_with_siblings(top);
  prepare_article(*article);
  return article;
}

Node* ArticleGrabber::choose_top_candidate(Node& body, bool& created) {
  std::vector<Node*> best;
  for (Node* candidate : candidates_) {
    if (!candidate->parent()) continue;  // removed after it was scored
    double score = scores_[candidate] * (1 - link_density(*candidate));
    scores_[candidate] = score;
    auto at = std::find_if(best.begin(), best.end(), [&](Node* other) { return score > scores_[other]; });
    if (static_cast<size_t>(at - best.begin()) < kTopCandidates) {
      best.insert(at, candidate);
      if (best.size() > kTopCandidates) best.pop_back();
    }
  }

  Node* top = best.empty() ? nullptr : best.front();
  if (!top || top->is_element("body")) {
    // Nothing stands out: the whole body is the article.
    auto wrapper = Node::make_element("div");
    while (!body.children().empty()) wrapper->append_child(body.children().front()->detach());
    top = body.append_child(std::move(wrapper));
    initialize(top);
    created = true;
    return top;
  }

  // Several near-best candidates under one ancestor: the ancestor is the article.
  std::vector<std::vector<const Node*>> near_best_ancestry;
  for (size_t i = 1; i < best.size(); ++i) {
    if (scores_[best[i]] / scores_[top] < 0.75) continue;
    std::vector<const Node*> ancestry;
    for (const Node* up = best[i]->parent(); up; up = up->parent()) ancestry.push_back(up);
    near_best_ancestry.push_back(std::move(ancestry));
  }
  constexpr size_t kMinimumAgreeing = 3;
  if (near_best_ancestry.size() >= kMinimumAgreeing) {
    for (Node* up = top->parent(); up && up->kind == Node::Kind::element && !up->is_element("body"); up = up->parent()) {
      size_t agreeing = 0;
      for (const auto& ancestry : near_best_ancestry)
        if (std::find(ancestry.begin(), ancestry.end(), up) != ancestry.end()) ++agreeing;
      if (agreeing >= kMinimumAgreeing) {
        top = up;
        break;
      }
    }
  }
  if (!scores_.contains(top)) initialize(top);

  // A parent scoring higher holds more of the article (it got points from
  // paragraphs in other children too).
  double last = scores_[top];
  double threshold = last / 3;
  for (Node* up = top->parent(); up && up->kind == Node::Kind::element && !up->is_element("body"); up = up->parent()) {
    auto it = scores_.find(up);
    if (it == scores_.end()) continue;
    if (it->second < threshold) break;
    if (it->second > last) {
      top = up;
      break;
    }
    last = it->second;
  }
  // An only child is the same content as its parent; take the parent, with its siblings.
  for (Node* up = top->parent(); up && up->kind == Node::Kind::element && !up->is_element("body") &&
                                 element_children(*up).size() == 1;
       up = top->parent())
    top = up;
  if (!scores_.contains(top)) initialize(top);
  return top;
}

std::unique_ptr<Node> ArticleGrabber::gather_with_siblings(Node* top) {
  auto article = Node::make_element("div");
  double top_score = scores_[top];
  double threshold = std::max(10.0, top_score * 0.2);
  std::string_view top_class = attr(*top, "class");
  Node* parent = top->parent();
  for (Node* sibling : element_children(*parent)) {
    bool keep = sibling == top;
    if (!keep) {
      double bonus = (!top_class.empty() && attr(*sibling, "class") == top_class) ? top_score * 0.2 : 0;
      auto it = scores_.find(sibling);
      if (it != scores_.end() && it->second + bonus >= threshold) {
        keep = true;
      } else if (sibling->is_element("p")) {
        double density = link_density(*sibling);
        std::string text = inner_text(*sibling);
        size_t length = char_count(text);
        if (length > 80 && density < 0.25)
          keep = true;
        else if (length < 80 && length > 0 && density == 0 &&
                 (text.find(". ") != std::string::npos || text.ends_with(".")))
          keep = true;
      }
    }
    if (!keep) continue;
    if (!tag_in(*sibling, {"div", "article", "section", "p", "ol", "ul"})) sibling->tag = "div";
    article->append_child(sibling->detach());
  }
  return article;
}

void ArticleGrabber::mark_data_tables(Node& article) {
  for (Node* table : descendants_by_tag(article, {"table"})) {
    if (attr(*table, "role") == "presentation" || attr(*table, "datatable") == "0") continue;
    if (!attr(*table, "summary").empty()) {
      data_tables_.insert(table);
      continue;
    }
    auto captions = descendants_by_tag(*table, {"caption"});
    if (!captions.empty() && !captions.front()->children().empty()) {
      data_tables_.insert(table);
      continue;
    }
    if (!descendants_by_tag(*table, {"col", "colgroup", "tfoot", "thead", "th"}).empty()) {
      data_tables_.insert(table);
      continue;
    }
    if (!descendants_by_tag(*table, {"table"}).empty()) continue;  // layout tables nest
    size_t rows = 0, columns = 0;
    for (Node* tr : descendants_by_tag(*table, {"tr"})) {
      int rowspan = std::atoi(std::string(attr(*tr, "rowspan")).c_str());
      rows += rowspan > 0 ? rowspan : 1;
      size_t in_row = 0;
      for (Node* td : descendants_by_tag(*tr, {"td"})) {
        int colspan = std::atoi(std::string(attr(*td, "colspan")).c_str());
        in_row += colspan > 0 ? colspan : 1;
      }
      columns = std::max(columns, in_row);
    }
    if (rows >= 10 || columns > 4 || rows * columns > 10) data_tables_.insert(table);
  }
}

void ArticleGrabber::remove_by_tag(Node& article, std::string_view tag) {
  bool embed = tag == "object" || tag == "embed" || tag == "iframe";
  auto nodes = descendants_by_tag(article, {tag});
  for (auto it = nodes.rbegin(); it != nodes.rend(); ++it) {
    Node* node = *it;
    if (embed) {
      bool video = std::any_of(node->attributes.begin(), node->attributes.end(),
                               [](const clean::Attribute& a) { return is_video_url(a.value); });
      if (!video && node->is_element("object")) video = is_video_url(clean::serialize_children(*node));
      if (video) continue;
    }
    drop(node);
  }
}

bool ArticleGrabber::should_remove_conditionally(const Node& node, std::string_view tag) {
  if (tag == "table" && data_tables_.contains(&node)) return false;
  for (const Node* up = node.parent(); up; up = up->parent())
    if (data_tables_.contains(up)) return false;
  if (has_ancestor_tag(node, "code")) return false;
  for (Node* table : descendants_by_tag(node, {"table"}))
    if (data_tables_.contains(table)) return false;

  std::string text = inner_text(node);
  size_t length = char_count(text);
  bool is_list = tag == "ul" || tag == "ol";
  if (!is_list) {
    size_t list_length = 0;
    for (Node* list : descendants_by_tag(node, {"ul", "ol"})) list_length += text_length(*list);
    is_list = length == 0 ? list_length > 0 : static_cast<double>(list_length) / static_cast<double>(length) > 0.9;
  }

  int weight = class_weight(node);
  if (weight < 0) return true;
  if (std::count(text.begin(), text.end(), ',') >= 10) return false;  // prose, whatever its markup

  double paragraphs = static_cast<double>(descendants_by_tag(node, {"p"}).size());
  double images = static_cast<double>(descendants_by_tag(node, {"img"}).size());
  double list_items = static_cast<double>(descendants_by_tag(node, {"li"}).size()) - 100;
  double inputs = static_cast<double>(descendants_by_tag(node, {"input"}).size());

  auto density_of = [&](std::initializer_list<std::string_view> tags) {
    if (length == 0) return 0.0;
    size_t inside = 0;
    for (Node* child : descendants_by_tag(node, tags)) inside += text_length(*child);
    return static_cast<double>(inside) / static_cast<double>(length);
  };
  double heading_density = density_of({"h1", "h2", "h3", "h4", "h5", "h6"});

  int embeds = 0;
  for (Node* embed : descendants_by_tag(node, {"object", "embed", "iframe"})) {
    for (const auto& a : embed->attributes)
      if (is_video_url(a.value)) return false;
    if (embed->is_element("object") && is_video_url(clean::serialize_children(*embed))) return false;
    ++embeds;
  }

  static const std::unordered_set<std::string> ad_words = {"ad", "advertising", "advertisement", "pub", "publicité",
                                                           "werb", "werbung", "广告", "реклама", "anuncio"};
  static const std::unordered_set<std::string> loading_words = {"loading", "正在加载", "загрузка", "chargement", "cargando"};
  std::string text_lower = core::ascii_lower(text);
  std::string bare = text_lower;
  if (bare.ends_with("...")) bare.resize(bare.size() - 3);
  else if (bare.ends_with("\u2026")) bare.resize(bare.size() - 3);
  if (ad_words.contains(text_lower) || loading_words.contains(bare)) return true;

  double links = link_density(node);
  double text_density = density_of({"span", "li", "td", "blockquote", "dl", "div", "img", "ol", "p", "pre", "table", "ul"});
  bool in_figure = has_ancestor_tag(node, "figure");

  bool remove = (!in_figure && images > 1 && paragraphs / images < 0.5) || (!is_list && list_items > paragraphs) ||
                (inputs > std::floor(paragraphs / 3)) ||
                (!is_list && !in_figure && heading_density < 0.9 && length < 25 && (images == 0 || images > 2) &&
                 links > 0) ||
                (!is_list && weight < 25 && links > 0.2) || (weight >= 25 && links > 0.5) ||
                ((embeds == 1 && length < 75) || embeds > 1) || (images == 0 && text_density == 0);

  if (is_list && remove) {
    // A gallery: a list whose every item is one image stays.
    for (Node* child : element_children(node))
      if (element_children(*child).size() > 1) return remove;
    if (images == static_cast<double>(descendants_by_tag(node, {"li"}).size())) return false;
  }
  return remove;
}

void ArticleGrabber::clean_conditionally(Node& article, std::string_view tag) {
  if (!flags_.clean_conditionally) return;
  auto nodes = descendants_by_tag(article, {tag});
  // Innermost first: an outer block is judged after its bad parts are gone.
  for (auto it = nodes.rbegin(); it != nodes.rend(); ++it)
    if (should_remove_conditionally(**it, tag)) drop(*it);
}

void ArticleGrabber::prepare_article(Node& article) {
  mark_data_tables(article);
  clean_conditionally(article, "form");
  clean_conditionally(article, "fieldset");
  for (auto tag : {"object", "embed", "footer", "link", "aside"}) remove_by_tag(article, tag);

  // Share bars inside the article's top-level blocks.
  for (Node* block : element_children(article)) {
    std::vector<Node*> share;
    for_each_descendant(*block, [&](Node& n) {
      if (n.kind == Node::Kind::element && is_share_hint(core::ascii_lower(class_and_id(n))) &&
          char_count(n.text_content()) < kMinArticleChars)
        share.push_back(&n);
    });
    for (auto it = share.rbegin(); it != share.rend(); ++it) {
      bool inside_other = false;
      for (const Node* up = (*it)->parent(); up && up != block; up = up->parent())
        if (std::find(share.begin(), share.end(), up) != share.end()) inside_other = true;
      if (!inside_other) drop(*it);
    }
  }

  for (auto tag : {"iframe", "input", "textarea", "select", "button"}) remove_by_tag(article, tag);
  {
    auto headings = descendants_by_tag(article, {"h1", "h2"});
    for (auto it = headings.rbegin(); it != headings.rend(); ++it)
      if (class_weight(**it) < 0) drop(*it);
  }
  clean_conditionally(article, "table");
  clean_conditionally(article, "ul");
  clean_conditionally(article, "div");

  // One <h2> that repeats the title is the page's headline, not a section.
  auto h2s = descendants_by_tag(article, {"h2"});
  if (h2s.size() == 1 && !title_.empty()) {
    std::string heading = h2s[0]->text_content();
    double ratio = (static_cast<double>(char_count(heading)) - static_cast<double>(char_count(title_))) /
                   static_cast<double>(char_count(title_));
    if (std::abs(ratio) < 0.5) {
      bool same = ratio > 0 ? heading.find(title_) != std::string::npos : title_.find(heading) != std::string::npos;
      if (same) drop(h2s[0]);
    }
  }
  for (Node* h1 : descendants_by_tag(article, {"h1"})) h1->tag = "h2";

  auto paragraphs = descendants_by_tag(article, {"p"});
  for (auto it = paragraphs.rbegin(); it != paragraphs.rend(); ++it)
    if (descendants_by_tag(**it, {"img", "embed", "object", "iframe"}).empty() && inner_text(**it).empty()) drop(*it);
}

// ---------------------------------------------------------- URLs, dates ----

void make_urls_absolute(Node& article, const std::string& base, std::string_view page_url) {
  auto absolute = [&](std::string_view reference) -> std::optional<std::string> {
    if (base == page_url && reference.starts_with("#")) return std::nullopt;  // in-page anchors stay
    return core::url::resolve(base, reference);
  };
  for_each_descendant(article, [&](Node& n) {
    if (n.kind != Node::Kind::element) return;
    for (const char* name : {"href", "src", "poster"}) {
      const std::string* value = n.attribute(name);
      if (!value || value->empty()) continue;
      if (core::ascii_lower(*value).starts_with("javascript:") || value->starts_with("data:")) continue;
      if (auto resolved = absolute(*value)) n.set_attribute(name, *resolved);
    }
    if (const std::string* srcset = n.attribute("srcset")) {
      // "a.jpg 1x, b.jpg 2x": resolve each candidate's URL, keep its descriptor.
      std::string out;
      std::string_view rest = *srcset;
      while (!rest.empty()) {
        size_t start = rest.find_first_not_of(" \t\n\r\f,");
        if (start == std::string_view::npos) break;
        rest.remove_prefix(start);
        size_t url_end = rest.find_first_of(" \t\n\r\f");
        std::string_view url = rest.substr(0, url_end);
        while (url.ends_with(",") && url.size() > 1) url.remove_suffix(1);
        rest.remove_prefix(std::min(rest.size(), url_end == std::string_view::npos ? rest.size() : url_end));
        size_t comma = rest.find(',');
        std::string_view descriptor = rest.substr(0, comma);
        rest.remove_prefix(comma == std::string_view::npos ? rest.size() : comma + 1);
        if (!out.empty()) out += ", ";
        auto resolved = absolute(url);
        out += resolved ? *resolved : std::string(url);
        std::string trimmed_descriptor = collapse_spaces(descriptor);
        if (!trimmed_descriptor.empty()) out += " " + trimmed_descriptor;
      }
      n.set_attribute("srcset", out);
    }
  });
  // javascript: links keep their text but lose the link.
  std::vector<Node*> script_links;
  for_each_descendant(article, [&](Node& n) {
    if (n.is_element("a") && core::ascii_lower(attr(n, "href")).starts_with("javascript:")) script_links.push_back(&n);
  });
  for (auto it = script_links.rbegin(); it != script_links.rend(); ++it) (*it)->unwrap();
}

std::optional<std::string> iso_date(std::string_view text) {
  auto instant = parse::parse_date(text, core::TimeZone());
  if (!instant) return std::nullopt;
  auto seconds = std::chrono::floor<std::chrono::seconds>(*instant);
  auto days = std::chrono::floor<std::chrono::days>(seconds);
  std::chrono::year_month_day ymd(days);
  std::chrono::hh_mm_ss hms(seconds - days);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                     hms.hours().count(), hms.minutes().count(), hms.seconds().count());
}

}  // namespace

core::Result<ExtractedArticle> extract_article(std::string_view html, std::string_view url) {
  // Parsing is most of the time spent: the first attempt reuses the tree
  // the metadata came from, later attempts (rare) parse afresh.
  std::unique_ptr<Node> first_document = clean::parse_document(html);
  PageMetadata metadata = read_page_metadata(*first_document);
  std::string base = base_url_of(*first_document, url);
  std::string title = metadata.title.value_or("");
  // A byline block is dropped from the text even when the metadata names
  // the author; its text is the byline only when the metadata has none.
  std::optional<std::string> dom_byline;

  // Each attempt relaxes one more rule; the longest result wins if none is long enough.
  const Flags attempts[] = {{true, true, true}, {false, true, true}, {false, false, true}, {false, false, false}};
  std::unique_ptr<Node> best;
  size_t best_length = 0;
  for (const Flags& flags : attempts) {
    auto document = first_document ? std::move(first_document) : clean::parse_document(html);
    prepare_page(*document);
    ArticleGrabber grabber(flags, title, dom_byline);
    std::unique_ptr<Node> article = grabber.grab(*document);
    if (!article) break;
    size_t length = text_length(*article);
    if (length >= kMinArticleChars) {
      best = std::move(article);
      break;
    }
    if (!best || length > best_length) {
      best = std::move(article);
      best_length = length;
    }
  }
  if (!best || text_length(*best) == 0)
    return core::Error(core::ErrorKind::parse, "no article found in " + std::string(url));

  make_urls_absolute(*best, base, url);

  ExtractedArticle out;
  out.title = metadata.title;
  out.byline = metadata.byline ? metadata.byline : dom_byline;
  out.lang = metadata.lang;
  out.excerpt = metadata.excerpt;
  if (!out.excerpt)
    if (auto paragraphs = descendants_by_tag(*best, {"p"}); !paragraphs.empty())
      if (std::string first = collapse_spaces(paragraphs.front()->text_content()); !first.empty()) out.excerpt = first;
  if (metadata.published) out.published = iso_date(*metadata.published);
  out.content_html = clean::serialize(*best);
  return out;
}

}  // namespace newsmirror::extract
