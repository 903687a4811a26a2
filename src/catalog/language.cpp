#include "catalog/language.hpp"

#include <unicode/uchar.h>
#include <unicode/uscript.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <cstdint>
#include <unordered_set>

namespace newsmirror::catalog {

namespace {

// Frequent characters whose form differs between the scripts, in pairs
// (simplified, traditional). News text of a few hundred characters holds
// dozens of them.
constexpr std::u32string_view kPairs[] = {
    U"这這", U"个個", U"们們", U"来來", U"说說", U"为為", U"国國", U"会會", U"对對", U"时時",
    U"后後", U"发發", U"与與", U"于於", U"学學", U"经經", U"过過", U"开開", U"关關", U"么麼",
    U"还還", U"进進", U"当當", U"实實", U"现現", U"动動", U"种種", U"长長", U"门門", U"问問",
    U"间間", U"东東", U"车車", U"电電", U"报報", U"华華", U"湾灣", U"区區", U"党黨", U"总總",
    U"统統", U"习習", U"应應", U"体體", U"义義", U"无無", U"变變", U"数數", U"战戰", U"军軍",
    U"员員", U"据據", U"称稱", U"认認", U"议議", U"选選", U"张張", U"见見", U"让讓", U"从從",
    U"将將", U"机機", U"议議", U"视視", U"边邊", U"运運", U"产產", U"业業", U"书書", U"气氣",
    U"题題", U"线線", U"话話", U"记記", U"调調", U"难難", U"级級", U"头頭", U"资資", U"条條",
};

struct ScriptChars {
  std::unordered_set<char32_t> simplified, traditional;
  ScriptChars() {
    for (auto pair : kPairs) {
      simplified.insert(pair[0]);
      traditional.insert(pair[1]);
    }
  }
};

const ScriptChars& script_chars() {
  static const ScriptChars chars;
  return chars;
}

}  // namespace

std::string guess_language(std::string_view text) {
  const auto& chars = script_chars();
  const auto* s = reinterpret_cast<const std::uint8_t*>(text.data());
  const auto length = static_cast<std::int32_t>(std::min<std::size_t>(text.size(), 4000));
  std::size_t han = 0, latin = 0, simplified = 0, traditional = 0;
  for (std::int32_t i = 0; i < length;) {
    UChar32 c;
    U8_NEXT(s, i, length, c);
    if (c < 0) continue;
    if (c < 0x80) {
      latin += (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
      continue;
    }
    UErrorCode status = U_ZERO_ERROR;
    if (uscript_getScript(c, &status) != USCRIPT_HAN) continue;
    ++han;
    simplified += chars.simplified.count(static_cast<char32_t>(c));
    traditional += chars.traditional.count(static_cast<char32_t>(c));
  }
  if (han == 0 && latin < 20) return "und";
  if (latin > 3 * han) return "en";
  if (simplified == traditional) return han < 10 ? "und" : "zh-Hans";
  return traditional > simplified ? "zh-Hant" : "zh-Hans";
}

}  // namespace newsmirror::catalog
