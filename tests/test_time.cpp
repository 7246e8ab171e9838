// RFC 3339 date-times, checked against the C library's timegm()/gmtime_r() (glibc, 64-bit time_t).
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <optional>
#include <random>
#include <string>

#include "assent/json/time.hpp"
#include "catch.hpp"

namespace {

using assent::json::format_rfc3339;
using assent::json::parse_rfc3339;

// The libc view of a calendar time given in UTC fields (timegm normalises out-of-range fields).
std::int64_t libc_timegm(int year, int month, int day, int hour, int minute, int second) {
  std::tm t{};
  t.tm_year = year - 1900;
  t.tm_mon = month - 1;
  t.tm_mday = day;
  t.tm_hour = hour;
  t.tm_min = minute;
  t.tm_sec = second;
  return static_cast<std::int64_t>(timegm(&t));
}

// "YYYY-MM-DDTHH:MM:SSZ" for an instant, by gmtime_r and strftime.
std::string libc_format(std::int64_t seconds) {
  const auto t = static_cast<std::time_t>(seconds);
  std::tm parts{};
  REQUIRE(gmtime_r(&t, &parts) != nullptr);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02dZ", parts.tm_year + 1900, parts.tm_mon + 1,
                parts.tm_mday, parts.tm_hour, parts.tm_min, parts.tm_sec);
  return buf;
}

std::string text(int year, int month, int day, int hour, int minute, int second, const char* rest = "Z") {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d%s", year, month, day, hour, minute, second, rest);
  return buf;
}

}  // namespace

TEST_CASE("parse_rfc3339 agrees with timegm on random dates from 0000 to 9999", "[time]") {
  std::mt19937_64 rng(3339);
  std::uniform_int_distribution<int> year(0, 9999), month(1, 12), day(1, 31), hour(0, 23), minute(0, 59), second(0, 59);
  int parsed = 0;
  for (int i = 0; i < 100000; ++i) {
    const int y = year(rng), mo = month(rng), d = day(rng), h = hour(rng), mi = minute(rng), s = second(rng);
    const std::string t = text(y, mo, d, h, mi, s);
    const auto got = parse_rfc3339(t);
    const std::int64_t expected = libc_timegm(y, mo, d, h, mi, s);
    // timegm rolls an impossible date (April 31) into the next month; parse_rfc3339 must refuse
    // exactly those: a date exists when gmtime gives it back unchanged.
    const bool exists = libc_format(expected) == t;
    INFO(t);
    CHECK(got.has_value() == exists);
    if (got) {
      CHECK(*got == expected);
      ++parsed;
    }
  }
  CHECK(parsed > 90000);
}

TEST_CASE("format_rfc3339 agrees with gmtime and round-trips through parse_rfc3339", "[time]") {
  std::mt19937_64 rng(1970);
  const std::int64_t first = *parse_rfc3339("1970-01-01T00:00:00Z");
  const std::int64_t last = *parse_rfc3339("9999-12-31T23:59:59Z");
  CHECK(first == 0);
  CHECK(last == libc_timegm(9999, 12, 31, 23, 59, 59));
  std::uniform_int_distribution<std::int64_t> instant(first, last);
  for (int i = 0; i < 100000; ++i) {
    const std::int64_t t = instant(rng);
    const std::string s = format_rfc3339(t);
    INFO(t);
    CHECK(s == libc_format(t));
    CHECK(parse_rfc3339(s) == t);
  }
  // Before 1970, down to the first instant of year 0.
  const std::int64_t year0 = *parse_rfc3339("0000-01-01T00:00:00Z");
  CHECK(year0 == libc_timegm(0, 1, 1, 0, 0, 0));
  std::uniform_int_distribution<std::int64_t> early(year0, -1);
  for (int i = 0; i < 20000; ++i) {
    const std::int64_t t = early(rng);
    CHECK(format_rfc3339(t) == libc_format(t));
    CHECK(parse_rfc3339(format_rfc3339(t)) == t);
  }
  for (const std::int64_t t : {year0, year0 + 1, std::int64_t{-1}, std::int64_t{0}, last - 1, last}) {
    CHECK(format_rfc3339(t) == libc_format(t));
  }
}

TEST_CASE("format_rfc3339 writes nothing for instants outside years 0000-9999", "[time]") {
  const std::int64_t year0 = libc_timegm(0, 1, 1, 0, 0, 0);
  const std::int64_t end = libc_timegm(10000, 1, 1, 0, 0, 0);
  CHECK(format_rfc3339(year0 - 1).empty());
  CHECK(format_rfc3339(end).empty());
  CHECK(format_rfc3339(INT64_MIN).empty());
  CHECK(format_rfc3339(INT64_MAX).empty());
  CHECK_FALSE(format_rfc3339(end - 1).empty());
}

TEST_CASE("parse_rfc3339 knows the Gregorian leap years", "[time]") {
  CHECK(parse_rfc3339("2024-02-29T00:00:00Z") == libc_timegm(2024, 2, 29, 0, 0, 0));
  CHECK(parse_rfc3339("2000-02-29T00:00:00Z") == libc_timegm(2000, 2, 29, 0, 0, 0));
  CHECK(parse_rfc3339("0000-02-29T00:00:00Z") == libc_timegm(0, 2, 29, 0, 0, 0));
  CHECK_FALSE(parse_rfc3339("2026-02-29T00:00:00Z"));
  CHECK_FALSE(parse_rfc3339("2026-02-30T00:00:00Z"));
  CHECK_FALSE(parse_rfc3339("1900-02-29T00:00:00Z"));
  CHECK_FALSE(parse_rfc3339("2100-02-29T00:00:00Z"));
  CHECK_FALSE(parse_rfc3339("2026-04-31T00:00:00Z"));
  CHECK(parse_rfc3339("2026-12-31T00:00:00Z").has_value());
}

TEST_CASE("parse_rfc3339 applies numeric offsets", "[time]") {
  // local time = UTC + offset, so UTC = local - offset.
  CHECK(parse_rfc3339("2026-01-01T00:00:00+01:00") == libc_timegm(2025, 12, 31, 23, 0, 0));
  CHECK(parse_rfc3339("2026-01-01T00:00:00-05:30") == libc_timegm(2026, 1, 1, 5, 30, 0));
  CHECK(parse_rfc3339("2026-03-01T23:59:59+23:59") == libc_timegm(2026, 3, 1, 0, 0, 59));
  CHECK(parse_rfc3339("2026-03-01T00:00:00-23:59") == libc_timegm(2026, 3, 1, 23, 59, 0));
  CHECK(parse_rfc3339("2026-06-15T12:00:00+00:00") == parse_rfc3339("2026-06-15T12:00:00Z"));
  CHECK(parse_rfc3339("2026-06-15T12:00:00-00:00") == parse_rfc3339("2026-06-15T12:00:00Z"));
  std::mt19937_64 rng(42);
  for (int i = 0; i < 10000; ++i) {
    const int oh = static_cast<int>(rng() % 24), om = static_cast<int>(rng() % 60);
    const bool east = (rng() & 1) != 0;
    char offset[8];
    std::snprintf(offset, sizeof offset, "%c%02d:%02d", east ? '+' : '-', oh, om);
    const std::string t = text(2026, 7, 1, 12, 0, 0, offset);
    const int sign = east ? -1 : 1;
    CHECK(parse_rfc3339(t) == libc_timegm(2026, 7, 1, 12 + sign * oh, sign * om, 0));
  }
  // The year boundary moves with the offset: the UTC instant may fall outside 0000-9999.
  CHECK(parse_rfc3339("0000-01-01T00:00:00+01:00") == libc_timegm(0, 1, 1, 0, 0, 0) - 3600);
  CHECK(format_rfc3339(*parse_rfc3339("0000-01-01T00:00:00+01:00")).empty());
}

TEST_CASE("parse_rfc3339 truncates fractional seconds", "[time]") {
  const auto whole = parse_rfc3339("2026-05-04T03:02:01Z");
  REQUIRE(whole);
  CHECK(parse_rfc3339("2026-05-04T03:02:01.0Z") == whole);
  CHECK(parse_rfc3339("2026-05-04T03:02:01.5Z") == whole);
  CHECK(parse_rfc3339("2026-05-04T03:02:01.999999999Z") == whole);
  CHECK(parse_rfc3339("2026-05-04T03:02:01.123+02:00") == *whole - 7200);
}

TEST_CASE("parse_rfc3339 refuses every malformed or non-canonical spelling", "[time]") {
  const char* bad[] = {
      "",
      "2026-01-01",                      // date only
      "2026-01-01T00:00:00",             // no offset
      "2026-01-01t00:00:00Z",            // lowercase t
      "2026-01-01T00:00:00z",            // lowercase z
      "2026-01-01 00:00:00Z",            // space separator
      "2026-01-01T00:00Z",               // no seconds
      "2026-01-01T00:00:60Z",            // leap second
      "2026-12-31T23:59:60Z",            // leap second, even where one could exist
      "2026-01-01T24:00:00Z",            // hour 24
      "2026-01-01T00:60:00Z",            // minute 60
      "2026-00-01T00:00:00Z",            // month 0
      "2026-13-01T00:00:00Z",            // month 13
      "2026-01-00T00:00:00Z",            // day 0
      "2026-01-32T00:00:00Z",            // day 32
      "2026-1-01T00:00:00Z",             // one-digit month
      "26-01-01T00:00:00Z",              // two-digit year
      "+2026-01-01T00:00:00Z",           // signed year
      "12026-01-01T00:00:00Z",           // five-digit year
      "2026-01-01T00:00:00.Z",           // empty fraction
      "2026-01-01T00:00:00.1234567890Z", // ten fraction digits
      "2026-01-01T00:00:00,5Z",          // comma fraction
      "2026-01-01T00:00:00+0100",        // offset without colon
      "2026-01-01T00:00:00+01",          // offset without minutes
      "2026-01-01T00:00:00+24:00",       // offset hour 24
      "2026-01-01T00:00:00+01:60",       // offset minute 60
      "2026-01-01T00:00:00Z ",           // trailing space
      " 2026-01-01T00:00:00Z",           // leading space
      "2026-01-01T00:00:00ZZ",           // trailing garbage
      "2026-01-01T00:00:00+01:00Z",      // both offsets
      "2026-01-01T0a:00:00Z",            // letter in a field
      "2026/01/01T00:00:00Z",            // wrong date separator
      "2026-01-01T00-00-00Z",            // wrong time separator
  };
  for (const char* s : bad) {
    INFO(s);
    CHECK_FALSE(parse_rfc3339(s).has_value());
  }
  // An embedded NUL is not the end of the text.
  CHECK_FALSE(parse_rfc3339(std::string_view("2026-01-01T00:00:00Z\0", 21)).has_value());
}
