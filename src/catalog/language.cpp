#include "catalog/language.hpp"

#include <unicode/uchar.h>
#include <unicode/uscript.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <cstdint>
#include <vector>

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

// Every pair character is a CJK Unified Ideograph (U+4E00..U+9FFF): a flat
// table of that block answers which script a character marks.
constexpr char32_t kFirst = 0x4E00;
constexpr char32_t kLast = 0x9FFF;
enum Mark : std::uint8_t { none, simplified_only, traditional_only };

struct ScriptChars {
  std::vector<std::uint8_t> mark = std::vector<std::uint8_t>(kLast - kFirst + 1, none);
  ScriptChars() {
    for (auto pair : kPairs) {
      if (pair[0] < kFirst || pair[0] > kLast || pair[1] < kFirst || pair[1] > kLast) continue;
      mark[pair[0] - kFirst] = simplified_only;
      mark[pair[1] - kFirst] = traditional_only;
    }
  }
};

const ScriptChars& script_chars() {
  static const ScriptChars chars;
  return chars;
}

bool is_han(UChar32 c) {
  if (c >= 0x4E00 && c <= 0x9FFF) return true;  // the common case, without a lookup
  UErrorCode status = U_ZERO_ERROR;
  return uscript_getScript(c, &status) == USCRIPT_HAN;
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
    if (!is_han(c)) continue;
    ++han;
    if (c < static_cast<UChar32>(kFirst) || c > static_cast<UChar32>(kLast)) continue;
    const auto mark = chars.mark[static_cast<char32_t>(c) - kFirst];
    simplified += mark == simplified_only;
    traditional += mark == traditional_only;
  }
  if (han == 0 && latin < 20) return "und";
  if (latin > 3 * han) return "en";
  if (simplified == traditional) return han < 10 ? "und" : "zh-Hans";
  return traditional > simplified ? "zh-Hant" : "zh-Hans";
}

}  // namespace newsmirror::catalog
