/// @file
/// RFC 3339 date-times <-> UTC seconds since 1970-01-01T00:00:00Z, strictly.
///
/// Approval windows compare instants, so every accepted text must denote exactly one instant and
/// every instant assent writes must be read back unchanged by any RFC 3339 reader.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "assent/config.hpp"

ASSENT_BEGIN_NAMESPACE
namespace json {
namespace detail {

// Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar (the "days from civil"
// formula Howard Hinnant published). Counting years from March puts the leap day last, so the
// day of a year is a linear function of the month, and the calendar repeats every 400 years
// (an "era" of 146097 days).
[[nodiscard]] constexpr std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) noexcept {
  y -= m <= 2 ? 1 : 0;                                      // January and February end the year
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;    // floor division
  const auto yoe = static_cast<unsigned>(y - era * 400);    // year of era, 0..399
  const unsigned mp = m > 2 ? m - 3 : m + 9;                // month from March, 0..11
  const unsigned doy = (153 * mp + 2) / 5 + d - 1;          // day of (March) year, 0..365
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;  // day of era, 0..146096
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;  // 719468: 0000-03-01..1970-01-01
}

// The inverse: the civil date of a day count from 1970-01-01.
struct civil_date {
  std::int64_t year;
  unsigned month;
  unsigned day;
};
[[nodiscard]] constexpr civil_date civil_from_days(std::int64_t z) noexcept {
  z += 719468;  // count from 0000-03-01
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);                // 0..146096
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;  // 0..399
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);            // 0..365
  const unsigned mp = (5 * doy + 2) / 153;                                 // 0..11
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;                         // 1..31
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;                            // 1..12
  return {static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2 ? 1 : 0), m, d};
}

[[nodiscard]] constexpr bool is_leap_year(std::int64_t y) noexcept {
  return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
}

[[nodiscard]] constexpr unsigned days_in_month(std::int64_t y, unsigned m) noexcept {
  constexpr unsigned days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap_year(y) ? 29 : days[m - 1];
}

// Reads exactly n ASCII digits at s[pos]; nullopt if any is not a digit.
[[nodiscard]] constexpr std::optional<unsigned> read_digits(std::string_view s, std::size_t pos, std::size_t n) noexcept {
  if (s.size() < pos + n) return std::nullopt;
  unsigned v = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
    v = v * 10 + static_cast<unsigned>(s[i] - '0');
  }
  return v;
}

inline void put_digits(std::string& out, std::int64_t v, int width) {
  char buf[4];
  for (int i = width - 1; i >= 0; --i) {
    buf[i] = static_cast<char>('0' + v % 10);
    v /= 10;
  }
  out.append(buf, static_cast<std::size_t>(width));
}

}  // namespace detail

/// Parses an RFC 3339 (§5.6) date-time, `YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM)`, into UTC
/// seconds since the epoch (negative before 1970); nullopt for anything else. Strict:
/// - 'T' and 'Z' must be uppercase and the separator must be 'T' (§5.6 lets readers accept 't',
///   'z' or a space; one spelling per instant keeps signed documents unambiguous).
/// - Years 0000-9999, real calendar dates (2024-02-29 exists, 2026-02-29 does not).
/// - Seconds 00-59: the leap second 60 (§5.7) is refused, because POSIX-style epoch seconds
///   cannot name it and no approval needs to start or end inside one.
/// - 1 to 9 fraction digits, truncated away: approvals are decided at whole seconds.
/// - Offsets up to 23:59 either way; "-00:00" (§4.3, offset unknown) denotes the UTC instant.
[[nodiscard]] inline std::optional<std::int64_t> parse_rfc3339(std::string_view s) noexcept {
  using detail::read_digits;
  // Fixed part: "YYYY-MM-DDTHH:MM:SS" is 19 bytes.
  if (s.size() < 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':') {
    return std::nullopt;
  }
  const auto year = read_digits(s, 0, 4), month = read_digits(s, 5, 2), day = read_digits(s, 8, 2);
  const auto hour = read_digits(s, 11, 2), minute = read_digits(s, 14, 2), second = read_digits(s, 17, 2);
  if (!year || !month || !day || !hour || !minute || !second) return std::nullopt;
  if (*month < 1 || *month > 12 || *day < 1 || *day > detail::days_in_month(*year, *month)) return std::nullopt;
  if (*hour > 23 || *minute > 59 || *second > 59) return std::nullopt;

  std::size_t pos = 19;
  if (s[pos] == '.') {
    const std::size_t start = ++pos;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') ++pos;
    if (pos == start || pos - start > 9) return std::nullopt;
  }
  if (pos >= s.size()) return std::nullopt;

  std::int64_t offset = 0;  // seconds east of UTC
  if (s[pos] == 'Z') {
    ++pos;
  } else if (s[pos] == '+' || s[pos] == '-') {
    if (s.size() - pos != 6 || s[pos + 3] != ':') return std::nullopt;
    const auto oh = read_digits(s, pos + 1, 2), om = read_digits(s, pos + 4, 2);
    if (!oh || !om || *oh > 23 || *om > 59) return std::nullopt;
    offset = static_cast<std::int64_t>(*oh) * 3600 + static_cast<std::int64_t>(*om) * 60;
    if (s[pos] == '-') offset = -offset;
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != s.size()) return std::nullopt;

  const std::int64_t days = detail::days_from_civil(*year, *month, *day);
  const std::int64_t local = days * 86400 + static_cast<std::int64_t>(*hour) * 3600 +
                             static_cast<std::int64_t>(*minute) * 60 + static_cast<std::int64_t>(*second);
  return local - offset;  // local time = UTC + offset
}

/// Whether UTC seconds since the epoch fall in years 0000-9999, the instants RFC 3339 can write
/// in UTC (format_rfc3339 writes exactly these).
[[nodiscard]] constexpr bool rfc3339_representable(std::int64_t utc_seconds) noexcept {
  constexpr std::int64_t min_seconds = detail::days_from_civil(0, 1, 1) * 86400;
  constexpr std::int64_t max_seconds = detail::days_from_civil(9999, 12, 31) * 86400 + 86399;
  return utc_seconds >= min_seconds && utc_seconds <= max_seconds;
}

/// Formats UTC seconds since the epoch as `YYYY-MM-DDTHH:MM:SSZ`; an empty string when the
/// instant falls outside years 0000-9999, which RFC 3339 cannot write.
[[nodiscard]] inline std::string format_rfc3339(std::int64_t utc_seconds) {
  if (!rfc3339_representable(utc_seconds)) return {};
  // Floor division, so instants before 1970 get a non-negative time of day.
  std::int64_t days = utc_seconds / 86400;
  std::int64_t secs = utc_seconds % 86400;
  if (secs < 0) {
    secs += 86400;
    --days;
  }
  const detail::civil_date date = detail::civil_from_days(days);
  std::string out;
  out.reserve(20);
  detail::put_digits(out, date.year, 4);
  out.push_back('-');
  detail::put_digits(out, date.month, 2);
  out.push_back('-');
  detail::put_digits(out, date.day, 2);
  out.push_back('T');
  detail::put_digits(out, secs / 3600, 2);
  out.push_back(':');
  detail::put_digits(out, secs / 60 % 60, 2);
  out.push_back(':');
  detail::put_digits(out, secs % 60, 2);
  out.push_back('Z');
  return out;
}

}  // namespace json
ASSENT_END_NAMESPACE
