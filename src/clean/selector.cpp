// A CSS selector engine: a recursive-descent parser into compound/complex
// selectors, matched right to left with backtracking over ancestors and
// siblings, as browsers do.
#include "clean/selector.hpp"

#include "core/ascii.hpp"

#include <algorithm>
#include <optional>

#include <fmt/format.h>

namespace newsmirror::clean {

namespace {

enum class Combinator { descendant, child, next_sibling, later_sibling };

struct AttributeTest {
  enum class Op { exists, equals, includes, dash, prefix, suffix, substring };
  std::string name;  // lower case
  Op op = Op::exists;
  std::string value;
};

enum class Structural { first_child, last_child, only_child, empty };

struct Complex;

struct Compound {
  // The element a :has() argument is anchored at; matches only that one.
  bool scope = false;
  std::string tag;  // lower case; empty for "*" or none
  std::vector<std::string> ids;
  std::vector<std::string> classes;
  std::vector<AttributeTest> attributes;
  std::vector<Structural> structural;
  std::vector<std::vector<Complex>> nots;   // each :not()'s list
  std::vector<std::vector<Complex>> hases;  // each :has()'s list; each starts with a scope compound
};

struct Complex {
  std::vector<Compound> compounds;
  std::vector<Combinator> combinators;  // combinators[i] joins compounds[i] and compounds[i + 1]
};

}  // namespace

struct Selector::Parsed {
  std::string text;
  std::vector<Complex> list;
};

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_name_char(char c) {
  auto u = static_cast<unsigned char>(c);
  return (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || is_digit(c) || c == '-' || c == '_' || u >= 0x80;
}

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  core::Result<std::vector<Complex>> parse() {
    auto list = parse_list(/*relative=*/false);
    if (!list) return list;
    if (pos_ < text_.size()) return fail(fmt::format("unexpected {}", here()));
    return list;
  }

 private:
  core::Error fail(std::string_view message) const { return fail_at(pos_, message); }
  core::Error fail_at(std::size_t pos, std::string_view message) const {
    return core::Error(core::ErrorKind::parse,
                       fmt::format("selector \"{}\": {} at column {}", text_, message, pos + 1));
  }

  bool at_end() const { return pos_ >= text_.size(); }
  char peek() const { return at_end() ? '\0' : text_[pos_]; }
  bool skip_space() {
    std::size_t start = pos_;
    while (!at_end() && core::is_html_space(peek())) ++pos_;
    return pos_ > start;
  }
  // The character at the cursor, quoted, whole even when it is UTF-8.
  std::string here() const {
    if (at_end()) return "end of selector";
    auto u = static_cast<unsigned char>(peek());
    std::size_t length = u < 0x80 ? 1 : u >= 0xF0 ? 4 : u >= 0xE0 ? 3 : u >= 0xC0 ? 2 : 1;
    return fmt::format("'{}'", text_.substr(pos_, length));
  }

  // A list ends at the end of the text or at a ")" the caller consumes.
  core::Result<std::vector<Complex>> parse_list(bool relative) {
    std::vector<Complex> list;
    while (true) {
      skip_space();
      auto complex = parse_complex(relative);
      if (!complex) return complex.error();
      list.push_back(std::move(*complex));
      skip_space();
      if (peek() != ',') return list;
      ++pos_;
    }
  }

  core::Result<Complex> parse_complex(bool relative) {
    Complex complex;
    std::string after;
    if (relative) {
      Compound scope;
      scope.scope = true;
      complex.compounds.push_back(std::move(scope));
      auto combinator = Combinator::descendant;
      if (auto c = combinator_at(peek())) {
        combinator = *c;
        after = fmt::format(" after '{}'", peek());
        ++pos_;
        skip_space();
      }
      complex.combinators.push_back(combinator);
    }
    auto first = parse_compound(after);
    if (!first) return first.error();
    complex.compounds.push_back(std::move(*first));
    while (true) {
      bool spaced = skip_space();
      if (at_end() || peek() == ',' || peek() == ')') return complex;
      auto combinator = Combinator::descendant;
      after.clear();
      if (auto c = combinator_at(peek())) {
        combinator = *c;
        after = fmt::format(" after '{}'", peek());
        ++pos_;
        skip_space();
      } else if (!spaced) {
        return fail(fmt::format("unexpected {}", here()));
      }
      auto next = parse_compound(after);
      if (!next) return next.error();
      complex.combinators.push_back(combinator);
      complex.compounds.push_back(std::move(*next));
    }
  }

  static std::optional<Combinator> combinator_at(char c) {
    if (c == '>') return Combinator::child;
    if (c == '+') return Combinator::next_sibling;
    if (c == '~') return Combinator::later_sibling;
    return std::nullopt;
  }

  core::Result<Compound> parse_compound(std::string_view after) {
    Compound compound;
    std::size_t start = pos_;
    if (peek() == '*') {
      ++pos_;
    } else if (is_name_char(peek()) || peek() == '\\') {
      auto name = parse_name("a tag name");
      if (!name) return name.error();
      compound.tag = core::ascii_lower(*name);
    }
    while (true) {
      char c = peek();
      if (c == '#' || c == '.') {
        ++pos_;
        auto name = parse_name(c == '#' ? "an id after '#'" : "a class name after '.'");
        if (!name) return name.error();
        (c == '#' ? compound.ids : compound.classes).push_back(std::move(*name));
      } else if (c == '[') {
        auto status = parse_attribute(compound);
        if (!status) return status.error();
      } else if (c == ':') {
        auto status = parse_pseudo(compound);
        if (!status) return status.error();
      } else if (c == '\\') {
        return fail("backslash escapes are not supported");
      } else {
        break;
      }
    }
    if (pos_ == start) {
      if (at_end()) return fail(fmt::format("expected a selector{}", after));
      return fail(fmt::format("expected a selector{}, got {}", after, here()));
    }
    return compound;
  }

  core::Result<std::string> parse_name(std::string_view what) {
    std::size_t start = pos_;
    if (is_digit(peek()) || (peek() == '-' && pos_ + 1 < text_.size() && is_digit(text_[pos_ + 1])))
      return fail(fmt::format("expected {}, got {} (a name cannot start with a digit)", what, here()));
    while (!at_end() && is_name_char(peek())) ++pos_;
    if (peek() == '\\') return fail("backslash escapes are not supported");
    if (pos_ == start) return fail(fmt::format("expected {}, got {}", what, here()));
    return std::string(text_.substr(start, pos_ - start));
  }

  core::Status parse_attribute(Compound& compound) {
    ++pos_;  // '['
    skip_space();
    AttributeTest test;
    auto name = parse_name("an attribute name after '['");
    if (!name) return name.error();
    test.name = core::ascii_lower(*name);
    skip_space();
    if (peek() == ']') {
      ++pos_;
      compound.attributes.push_back(std::move(test));
      return core::ok_status();
    }
    std::size_t op_start = pos_;
    if (peek() == '=') {
      test.op = AttributeTest::Op::equals;
      ++pos_;
    } else if (pos_ + 1 < text_.size() && text_[pos_ + 1] == '=' &&
               std::string_view("~|^$*").find(peek()) != std::string_view::npos) {
      static constexpr AttributeTest::Op kOps[] = {AttributeTest::Op::includes, AttributeTest::Op::dash,
                                                   AttributeTest::Op::prefix, AttributeTest::Op::suffix,
                                                   AttributeTest::Op::substring};
      test.op = kOps[std::string_view("~|^$*").find(peek())];
      pos_ += 2;
    } else {
      return fail(fmt::format("expected ']' or an operator like '=' after attribute name, got {}", here()));
    }
    std::string op(text_.substr(op_start, pos_ - op_start));
    skip_space();
    if (peek() == '"' || peek() == '\'') {
      char quote = peek();
      std::size_t open = pos_++;
      std::size_t start = pos_;
      while (!at_end() && peek() != quote) {
        if (peek() == '\\') return fail("backslash escapes are not supported");
        if (peek() == '\n') break;
        ++pos_;
      }
      if (peek() != quote) return fail_at(open, "unterminated string");
      test.value = std::string(text_.substr(start, pos_ - start));
      ++pos_;
    } else {
      auto value = parse_name(fmt::format("a value after '{}' (quote values that are not plain names)", op));
      if (!value) return value.error();
      test.value = std::move(*value);
    }
    skip_space();
    if (peek() != ']') {
      if (peek() == 'i' || peek() == 's') return fail("attribute flags (i, s) are not supported");
      return fail(fmt::format("expected ']', got {}", here()));
    }
    ++pos_;
    compound.attributes.push_back(std::move(test));
    return core::ok_status();
  }

  core::Status parse_pseudo(Compound& compound) {
    std::size_t start = pos_++;  // ':'
    if (peek() == ':') return fail_at(start, "pseudo-elements ('::') are not supported");
    auto name = parse_name("a pseudo-class name after ':'");
    if (!name) return name.error();
    auto pseudo = core::ascii_lower(*name);
    if (pseudo == "not" || pseudo == "has") {
      if (peek() != '(') return fail(fmt::format("expected '(' after ':{}'", pseudo));
      ++pos_;
      auto list = parse_list(/*relative=*/pseudo == "has");
      if (!list) return list.error();
      if (peek() != ')') return fail(fmt::format("expected ')' to close ':{}(', got {}", pseudo, here()));
      ++pos_;
      (pseudo == "not" ? compound.nots : compound.hases).push_back(std::move(*list));
      return core::ok_status();
    }
    static constexpr std::pair<std::string_view, Structural> kStructural[] = {
        {"first-child", Structural::first_child},
        {"last-child", Structural::last_child},
        {"only-child", Structural::only_child},
        {"empty", Structural::empty}};
    for (auto [known, kind] : kStructural) {
      if (pseudo == known) {
        compound.structural.push_back(kind);
        return core::ok_status();
      }
    }
    return fail_at(start, fmt::format("unsupported pseudo-class ':{}' (supported: :not(), :has(), "
                                      ":first-child, :last-child, :only-child, :empty)",
                                      pseudo));
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

// --- matching ---

const Node* parent_element(const Node& node) {
  auto parent = node.parent();
  return parent && parent->kind == Node::Kind::element ? parent : nullptr;
}

const Node* previous_element(const Node& node) {
  auto parent = node.parent();
  if (!parent) return nullptr;
  const auto& siblings = parent->children();
  for (auto i = node.index_in_parent(); i-- > 0;)
    if (siblings[i]->kind == Node::Kind::element) return siblings[i].get();
  return nullptr;
}

const Node* next_element(const Node& node) {
  auto parent = node.parent();
  if (!parent) return nullptr;
  const auto& siblings = parent->children();
  for (auto i = node.index_in_parent() + 1; i < siblings.size(); ++i)
    if (siblings[i]->kind == Node::Kind::element) return siblings[i].get();
  return nullptr;
}

bool matches_attribute(const AttributeTest& test, const Node& node) {
  const std::string* value = node.attribute(test.name);
  if (!value) return false;
  std::string_view v = *value;
  std::string_view want = test.value;
  switch (test.op) {
    case AttributeTest::Op::exists: return true;
    case AttributeTest::Op::equals: return v == want;
    case AttributeTest::Op::prefix: return !want.empty() && v.starts_with(want);
    case AttributeTest::Op::suffix: return !want.empty() && v.ends_with(want);
    case AttributeTest::Op::substring: return !want.empty() && v.find(want) != std::string_view::npos;
    case AttributeTest::Op::dash:
      return v == want || (v.starts_with(want) && v.size() > want.size() && v[want.size()] == '-');
    case AttributeTest::Op::includes: return has_token(v, want);
  }
  return false;
}

bool matches_structural(Structural kind, const Node& node) {
  switch (kind) {
    case Structural::first_child: return node.parent() && !previous_element(node);
    case Structural::last_child: return node.parent() && !next_element(node);
    case Structural::only_child: return node.parent() && !previous_element(node) && !next_element(node);
    case Structural::empty:
      // Selectors 4: white space does not make an element non-empty.
      for (const auto& child : node.children()) {
        if (child->kind == Node::Kind::element) return false;
        if (child->kind == Node::Kind::text && !std::all_of(child->text.begin(), child->text.end(), core::is_html_space))
          return false;
      }
      return true;
  }
  return false;
}

bool matches_complex(const Complex& complex, std::size_t index, const Node& node, const Node* scope);

bool matches_any(const std::vector<Complex>& list, const Node& node) {
  for (const auto& complex : list)
    if (matches_complex(complex, complex.compounds.size() - 1, node, nullptr)) return true;
  return false;
}

bool any_in_subtree(const Node& node, const Complex& relative, const Node& scope) {
  for (const auto& child : node.children()) {
    if (child->kind != Node::Kind::element) continue;
    if (matches_complex(relative, relative.compounds.size() - 1, *child, &scope)) return true;
    if (any_in_subtree(*child, relative, scope)) return true;
  }
  return false;
}

// :has(): the candidates are below the element for " " and ">", and in the
// later siblings' subtrees (and the siblings themselves) for "+" and "~".
bool has_relative(const Complex& relative, const Node& element) {
  auto leading = relative.combinators.front();
  if (leading == Combinator::descendant || leading == Combinator::child)
    return any_in_subtree(element, relative, element);
  for (auto sibling = next_element(element); sibling; sibling = next_element(*sibling)) {
    if (matches_complex(relative, relative.compounds.size() - 1, *sibling, &element)) return true;
    if (any_in_subtree(*sibling, relative, element)) return true;
  }
  return false;
}

bool matches_compound(const Compound& compound, const Node& node, const Node* scope) {
  if (node.kind != Node::Kind::element) return false;
  if (compound.scope) return &node == scope;
  if (!compound.tag.empty() && node.tag != compound.tag) return false;
  for (const auto& id : compound.ids) {
    auto value = node.attribute("id");
    if (!value || *value != id) return false;
  }
  for (const auto& name : compound.classes)
    if (!node.has_class(name)) return false;
  for (const auto& test : compound.attributes)
    if (!matches_attribute(test, node)) return false;
  for (auto kind : compound.structural)
    if (!matches_structural(kind, node)) return false;
  for (const auto& list : compound.nots)
    if (matches_any(list, node)) return false;
  for (const auto& list : compound.hases) {
    bool found = false;
    for (const auto& relative : list)
      if ((found = has_relative(relative, node))) break;
    if (!found) return false;
  }
  return true;
}

bool matches_complex(const Complex& complex, std::size_t index, const Node& node, const Node* scope) {
  if (!matches_compound(complex.compounds[index], node, scope)) return false;
  if (index == 0) return true;
  switch (complex.combinators[index - 1]) {
    case Combinator::child: {
      auto parent = parent_element(node);
      return parent && matches_complex(complex, index - 1, *parent, scope);
    }
    case Combinator::descendant:
      for (auto up = parent_element(node); up; up = parent_element(*up))
        if (matches_complex(complex, index - 1, *up, scope)) return true;
      return false;
    case Combinator::next_sibling: {
      auto before = previous_element(node);
      return before && matches_complex(complex, index - 1, *before, scope);
    }
    case Combinator::later_sibling:
      for (auto before = previous_element(node); before; before = previous_element(*before))
        if (matches_complex(complex, index - 1, *before, scope)) return true;
      return false;
  }
  return false;
}

void collect(Node& node, const Selector& selector, std::vector<Node*>& out) {
  for (const auto& child : node.children()) {
    if (selector.matches(*child)) out.push_back(child.get());
    collect(*child, selector, out);
  }
}

}  // namespace

bool Selector::matches(const Node& node) const { return matches_any(parsed_->list, node); }

const std::string& Selector::text() const { return parsed_->text; }

core::Result<Selector> parse_selector(std::string_view text) {
  Parser parser(text);
  auto list = parser.parse();
  if (!list) return list.error();
  auto parsed = std::make_shared<Selector::Parsed>();
  parsed->text = std::string(text);
  parsed->list = std::move(*list);
  return Selector(std::move(parsed));
}

std::vector<Node*> select_all(Node& root, const Selector& selector) {
  std::vector<Node*> out;
  collect(root, selector, out);
  return out;
}

}  // namespace newsmirror::clean
