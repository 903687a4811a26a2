// A stop-gap HTML cleaner for `newsmirror parse --clean` until the clean
// module's sanitizer exists: it makes href/src absolute and drops <script>,
// <style> and event-handler attributes. It is not a security boundary.
#pragma once

#include <string>
#include <string_view>

namespace newsmirror::parse {

std::string minimal_clean(std::string_view html, std::string_view base_url);

}  // namespace newsmirror::parse
