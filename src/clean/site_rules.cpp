#include "clean/site_rules.hpp"

#include <unordered_set>

namespace newsmirror::clean {

namespace {

// The matches of `selectors` that have no matched ancestor, in document
// order: deleting or moving those covers the nested ones too.
std::vector<Node*> outermost_matches(Node& root, const std::vector<const Selector*>& selectors) {
  std::vector<Node*> out;
  std::unordered_set<const Node*> taken;
  for_each_descendant(root, [&](const Node& node) {
    bool matched = false;
    for (const Selector* selector : selectors)
      if ((matched = selector->matches(node))) break;
    if (!matched) return;
    for (const Node* up = node.parent(); up && up != &root; up = up->parent())
      if (taken.count(up)) return;
    taken.insert(&node);
    out.push_back(const_cast<Node*>(&node));  // a descendant of the mutable root
  });
  return out;
}

}  // namespace

core::Result<CompiledRules> compile(const SiteRules& rules) {
  CompiledRules compiled;
  for (const auto& text : rules.remove) {
    auto selector = parse_selector(text);
    if (!selector) return selector.error().with_context("remove");
    compiled.remove.push_back(std::move(*selector));
  }
  if (rules.keep) {
    auto selector = parse_selector(*rules.keep);
    if (!selector) return selector.error().with_context("keep");
    compiled.keep = std::move(*selector);
  }
  return compiled;
}

RulesOutcome apply(Node& root, const CompiledRules& rules) {
  RulesOutcome outcome;
  if (rules.keep) {
    auto kept = outermost_matches(root, {&*rules.keep});
    if (kept.empty()) {
      outcome.keep = KeepOutcome::matched_nothing;
    } else {
      outcome.keep = KeepOutcome::kept;
      std::vector<std::unique_ptr<Node>> moved;
      for (Node* node : kept) moved.push_back(node->detach());
      while (!root.children().empty()) root.children().back()->detach();
      for (auto& node : moved) root.append_child(std::move(node));
    }
  }
  if (!rules.remove.empty()) {
    std::vector<const Selector*> selectors;
    for (const auto& selector : rules.remove) selectors.push_back(&selector);
    for (Node* node : outermost_matches(root, selectors)) {
      node->detach();
      ++outcome.removed;
    }
  }
  return outcome;
}

}  // namespace newsmirror::clean
