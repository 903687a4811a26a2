// A small scanner rather than regular expressions: the grammars are short,
// and feeds bend them in so many ways (missing weekday, missing seconds,
// 2-digit years, "GMT+8", full month names) that explicit code reads better.
#include "parse/date.hpp"

#include "core/ascii.hpp"

#include <array>
#include <cctype>
#include <chrono>
#include <string>

namespace newsmirror::parse {

namespace {

using namespace std::chrono;

struct Fields {
  int year = 0, month = 0, day = 0;
  int hour = 0, minute = 0, second = 0, millis = 0;
  std::optional<int> offset_seconds;  // east of UTC; nullopt = no zone given
};

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// A cursor over the text with the few primitives the grammars need.
class Scanner {
 public:
  explicit Scanner(std::string_view text) : text_(text) {}

  bool done() const { return pos_ >= text_.size(); }
  char peek(std::size_t ahead = 0) const {
    return pos_ + ahead < text_.size() ? text_[pos_ + ahead] : '\0';
  }
  std::size_t pos() const { return pos_; }
  void reset(std::size_t pos) { pos_ = pos; }
  void skip_spaces() {
    while (!done() && (peek() == ' ' || peek() == '\t' || peek() == ',')) ++pos_;
  }
  bool eat(char c) {
    if (peek() != c || done()) return false;
    ++pos_;
    return true;
  }
  bool eat(std::string_view s) {
    if (text_.substr(pos_).starts_with(s)) {
      pos_ += s.size();
      return true;
    }
    return false;
  }
  // Reads 1..max_digits digits; returns the count read (0 when none).
  int number(int& value, int max_digits = 9) {
    int count = 0;
    value = 0;
    while (count < max_digits && is_digit(peek())) {
      value = value * 10 + (peek() - '0');
      ++pos_;
      ++count;
    }
    return count;
  }
  std::string_view word() {
    std::size_t start = pos_;
    while (is_alpha(peek())) ++pos_;
    return text_.substr(start, pos_ - start);
  }
  std::string_view rest() const { return text_.substr(std::min(pos_, text_.size())); }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
};

int month_from_name(std::string_view name) {
  static constexpr std::array<std::string_view, 12> kMonths = {
      "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"};
  if (name.size() < 3) return 0;
  std::string l = core::ascii_lower(name);
  for (std::size_t i = 0; i < kMonths.size(); ++i)
    if (l.starts_with(kMonths[i])) return static_cast<int>(i) + 1;
  return 0;
}

bool is_weekday(std::string_view name) {
  static constexpr std::array<std::string_view, 7> kDays = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
  if (name.size() < 3) return false;
  std::string l = core::ascii_lower(name);
  for (auto d : kDays)
    if (l.starts_with(d)) return true;
  return false;
}

// Named zones from RFC 822 plus the single-letter military zones (RFC 822
// section 5: A..M west without J, N..Y east, Z zero).
std::optional<int> named_zone(std::string_view name) {
  std::string l = core::ascii_lower(name);
  struct Named { std::string_view name; int hours; };
  static constexpr Named kZones[] = {
      {"ut", 0}, {"utc", 0}, {"gmt", 0}, {"z", 0},
      {"est", -5}, {"edt", -4}, {"cst", -6}, {"cdt", -5},
      {"mst", -7}, {"mdt", -6}, {"pst", -8}, {"pdt", -7},
  };
  for (const auto& z : kZones)
    if (l == z.name) return z.hours * 3600;
  if (l.size() == 1) {
    char c = l[0];
    if (c >= 'a' && c <= 'i') return -(c - 'a' + 1) * 3600;
    if (c >= 'k' && c <= 'm') return -(c - 'k' + 10) * 3600;
    if (c >= 'n' && c <= 'y') return (c - 'n' + 1) * 3600;
  }
  return std::nullopt;
}

// "+08:00", "+0800", "+08", "-5" after the sign has been seen.
bool numeric_offset(Scanner& s, int& offset) {
  int sign = 0;
  if (s.eat('+')) sign = 1;
  else if (s.eat('-')) sign = -1;
  else return false;
  int hours = 0, minutes = 0;
  int digits = s.number(hours, 4);
  if (digits == 0) return false;
  if (digits >= 3) {
    minutes = hours % 100;
    hours /= 100;
  } else if (s.eat(':')) {
    if (s.number(minutes, 2) != 2) return false;
  }
  if (hours > 14 || minutes > 59) return false;
  offset = sign * (hours * 3600 + minutes * 60);
  return true;
}

// An optional zone at the end: Z, numeric, named, "GMT+8". Anything left
// after it is tolerated only if it is a parenthesized comment.
bool zone(Scanner& s, Fields& f) {
  s.skip_spaces();
  if (s.done()) return true;
  int offset = 0;
  if (numeric_offset(s, offset)) {
    f.offset_seconds = offset;
  } else if (is_alpha(s.peek())) {
    std::string_view name = s.word();
    auto named = named_zone(name);
    if (!named) {
      // Unknown abbreviations ("HKT", "CCT") cannot be trusted; fall back to
      // the source's zone rather than reject the date.
      named = std::nullopt;
    }
    f.offset_seconds = named;
    if ((core::ascii_lower(name) == "gmt" || core::ascii_lower(name) == "utc") && numeric_offset(s, offset))
      f.offset_seconds = offset;
  } else {
    return false;
  }
  s.skip_spaces();
  return s.done() || s.peek() == '(';
}

// "HH:MM[:SS[.fff]]", the separator already consumed.
bool clock(Scanner& s, Fields& f) {
  if (s.number(f.hour, 2) == 0) return false;
  if (!s.eat(':') && !s.eat("时") && !s.eat("點") && !s.eat("点")) return false;
  if (s.number(f.minute, 2) == 0) return false;
  if (s.eat(':') || s.eat("分")) {
    if (s.number(f.second, 2) != 0) {
      s.eat("秒");
      if (s.eat('.') || s.eat(',')) {
        int fraction = 0;
        std::size_t start = s.pos();
        int digits = s.number(fraction, 9);
        (void)start;
        while (digits > 3) { fraction /= 10; --digits; }
        while (digits > 0 && digits < 3) { fraction *= 10; ++digits; }
        f.millis = fraction;
        while (is_digit(s.peek())) s.reset(s.pos() + 1);
      }
    }
  }
  return true;
}

int widen_year(int year, int digits) {
  if (digits == 2) return year < 50 ? 2000 + year : 1900 + year;
  if (digits == 3) return 1900 + year;
  return year;
}

// RFC 822/1123: [Wkd,] D Mon YYYY [HH:MM[:SS]] [zone]; also the asctime
// order "Wkd Mon D HH:MM:SS [zone] YYYY".
bool rfc822(std::string_view text, Fields& f) {
  Scanner s(text);
  s.skip_spaces();
  if (is_alpha(s.peek())) {
    std::size_t mark = s.pos();
    std::string_view w = s.word();
    if (is_weekday(w)) {
      s.eat('.');
      s.skip_spaces();
    } else {
      s.reset(mark);
    }
  }
  if (is_alpha(s.peek())) {
    // asctime: Mon D HH:MM:SS [zone] YYYY, or "Mon D, YYYY".
    f.month = month_from_name(s.word());
    if (f.month == 0) return false;
    s.eat('.');
    s.skip_spaces();
    if (s.number(f.day, 2) == 0) return false;
    s.skip_spaces();
    std::size_t mark = s.pos();
    int value = 0;
    int digits = s.number(value, 4);
    if (digits == 4 || (digits > 0 && s.peek() != ':')) {
      f.year = widen_year(value, digits);
      s.skip_spaces();
      if (s.done()) return true;
      if (!clock(s, f)) return false;
      return zone(s, f);
    }
    s.reset(mark);
    if (!clock(s, f)) return false;
    s.skip_spaces();
    if (is_alpha(s.peek())) {
      auto named = named_zone(s.word());
      f.offset_seconds = named;
      s.skip_spaces();
    }
    digits = s.number(value, 4);
    if (digits == 0) return false;
    f.year = widen_year(value, digits);
    s.skip_spaces();
    return s.done();
  }
  if (s.number(f.day, 2) == 0) return false;
  s.skip_spaces();
  s.eat('-');
  f.month = month_from_name(s.word());
  if (f.month == 0) return false;
  s.eat('.');
  s.skip_spaces();
  s.eat('-');
  int digits = s.number(f.year, 4);
  if (digits == 0) return false;
  f.year = widen_year(f.year, digits);
  s.skip_spaces();
  if (s.done()) return true;
  if (!clock(s, f)) {
    return false;
  }
  return zone(s, f);
}

// ISO 8601 / RFC 3339 and the numeric forms Chinese sites use:
// YYYY-MM-DD[(T| )HH:MM[:SS[.f]]][zone], YYYY/MM/DD ..., YYYY年M月D日 ...,
// plus the compact YYYYMMDD[THHMMSS] form.
bool iso(std::string_view text, Fields& f) {
  Scanner s(text);
  s.skip_spaces();
  int digits = s.number(f.year, 8);
  if (digits == 8) {
    f.month = f.year / 100 % 100;
    f.day = f.year % 100;
    f.year /= 10000;
    if (s.eat('T') || s.eat('t')) {
      int hms = 0;
      int n = s.number(hms, 6);
      if (n == 6) {
        f.hour = hms / 10000; f.minute = hms / 100 % 100; f.second = hms % 100;
      } else if (n == 4) {
        f.hour = hms / 100; f.minute = hms % 100;
      } else if (n == 2 && s.peek() == ':') {
        s.reset(s.pos() - 2);
        if (!clock(s, f)) return false;
      } else {
        return false;
      }
    }
    return zone(s, f);
  }
  if (digits != 4) return false;
  bool chinese = false;
  char sep = s.peek();
  if (sep == '-' || sep == '/' || sep == '.') {
    s.eat(sep);
  } else if (s.eat("年")) {
    chinese = true;
  } else {
    // Year only ("2003") or year-month is legal ISO 8601 but useless here.
    if (!s.done()) return false;
    f.month = 1;
    f.day = 1;
    return true;
  }
  if (s.number(f.month, 2) == 0) return false;
  if (chinese) {
    if (!s.eat("月")) return false;
  } else if (!s.eat(sep)) {
    if (s.done()) { f.day = 1; return true; }
    return false;
  }
  if (s.number(f.day, 2) == 0) return false;
  if (chinese) {
    if (!s.eat("日")) s.eat("号");
  }
  if (s.done()) return true;
  if (s.peek() == 'T' || s.peek() == 't') {
    s.reset(s.pos() + 1);
  } else if (s.peek() == ' ' || chinese) {
    s.skip_spaces();
    if (s.done()) return true;
  } else {
    return zone(s, f);
  }
  if (!clock(s, f)) return false;
  return zone(s, f);
}

std::optional<core::TimePoint> to_time_point(const Fields& f, const core::TimeZone& default_zone) {
  if (f.month < 1 || f.month > 12 || f.day < 1 || f.year < 1 || f.year > 9999) return std::nullopt;
  if (f.hour > 24 || f.minute > 59 || f.second > 60) return std::nullopt;
  year_month_day ymd{year{f.year}, month{static_cast<unsigned>(f.month)}, day{static_cast<unsigned>(f.day)}};
  if (!ymd.ok()) return std::nullopt;
  // A leap second is folded onto the second before it.
  int second = f.second == 60 ? 59 : f.second;
  sys_seconds wall = sys_days{ymd} + hours{f.hour} + minutes{f.minute} + seconds{second};
  sys_seconds utc = f.offset_seconds ? wall - seconds{*f.offset_seconds} : default_zone.to_utc(wall);
  return time_point_cast<milliseconds>(utc) + milliseconds{f.millis};
}

}  // namespace

std::optional<core::TimePoint> parse_date(std::string_view text, const core::TimeZone& default_zone) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  if (text.empty() || text.size() > 200) return std::nullopt;
  Fields f;
  if (iso(text, f)) {
    if (auto t = to_time_point(f, default_zone)) return t;
  }
  f = Fields{};
  if (rfc822(text, f)) return to_time_point(f, default_zone);
  return std::nullopt;
}

}  // namespace newsmirror::parse
