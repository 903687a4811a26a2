#include "parse/xml_nodes.hpp"

#include "core/ascii.hpp"

namespace newsmirror::parse {

namespace {

// Whether `s` is `lower_case` but for the case of ASCII letters.
bool equals_ignoring_case(std::string_view s, std::string_view lower_case) {
  if (s.size() != lower_case.size()) return false;
  for (std::size_t k = 0; k < s.size(); ++k)
    if (core::ascii_lower(s[k]) != lower_case[k]) return false;
  return true;
}

}  // namespace

Ns ns_from_uri(std::string_view uri) {
  // Namespace names are case-sensitive in XML, but feeds copy them from
  // documentation with varying case (iTunes' "DTDs/Podcast"). This runs
  // for every element: the length picks the candidates.
  if (uri.empty()) return Ns::rss;
  if (uri.size() >= 31 && equals_ignoring_case(uri.substr(0, 31), "http://backend.userland.com/rss")) return Ns::rss;
  struct Known {
    std::string_view uri;
    Ns ns;
  };
  static constexpr Known kKnown[] = {
      {"http://www.w3.org/2005/atom", Ns::atom10},
      {"http://purl.org/atom/ns#", Ns::atom03},
      {"http://purl.org/rss/1.0/", Ns::rss},
      {"http://my.netscape.com/rdf/simple/0.9/", Ns::rss},
      {"http://blogs.law.harvard.edu/tech/rss", Ns::rss},
      {"http://www.w3.org/1999/02/22-rdf-syntax-ns#", Ns::rdf},
      {"http://purl.org/net/rss1.1#", Ns::rss},
      {"http://purl.org/dc/elements/1.1/", Ns::dc},
      {"http://purl.org/dc/terms/", Ns::dcterms},
      {"http://purl.org/rss/1.0/modules/content/", Ns::content},
      {"http://www.itunes.com/dtds/podcast-1.0.dtd", Ns::itunes},
      {"http://search.yahoo.com/mrss/", Ns::media},
      {"http://search.yahoo.com/mrss", Ns::media},
      {"http://www.w3.org/1999/xhtml", Ns::xhtml},
  };
  for (const Known& known : kKnown)
    if (known.uri.size() == uri.size() && equals_ignoring_case(uri, known.uri)) return known.ns;
  return Ns::other;
}

Ns ns_from_prefix(std::string_view prefix) {
  if (prefix == "dc") return Ns::dc;
  if (prefix == "dcterms") return Ns::dcterms;
  if (prefix == "content") return Ns::content;
  if (prefix == "atom") return Ns::atom10;
  if (prefix == "itunes") return Ns::itunes;
  if (prefix == "media") return Ns::media;
  if (prefix == "rdf") return Ns::rdf;
  return Ns::other;
}

}  // namespace newsmirror::parse
