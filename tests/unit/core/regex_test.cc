#include "core/regex.h"

#include <gtest/gtest.h>

#include <string>

namespace failwatch {
namespace {

TEST(RegexTest, FullMatchOnly) {
  Result<Regex> re = Regex::Compile("orders-.*");
  ASSERT_TRUE(re.ok()) << re.error().message;
  EXPECT_TRUE(re->FullMatch("orders-eu"));
  EXPECT_FALSE(re->FullMatch("x-orders-eu"));
  EXPECT_FALSE(re->FullMatch("orders"));
  EXPECT_EQ(re->pattern(), "orders-.*");
}

// Config equality (a reload keeps an unchanged collector) compares the
// pattern text; PatternOf shows an unset filter as "".
TEST(RegexTest, ComparesByPatternText) {
  Regex a = Regex::Compile("orders-.*").value();
  EXPECT_EQ(a, Regex::Compile("orders-.*").value());
  EXPECT_FALSE(a == Regex::Compile("orders.*").value());
  EXPECT_EQ(OptionalRegex(a), OptionalRegex(a));
  EXPECT_EQ(PatternOf(a), "orders-.*");
  EXPECT_EQ(PatternOf(std::nullopt), "");
}

TEST(RegexTest, InvalidPatternIsAnError) {
  Result<Regex> re = Regex::Compile("orders-(.*");
  ASSERT_FALSE(re.ok());
  EXPECT_EQ(re.error().code, "bad_regex");
  EXPECT_EQ(re.error().message, "missing ): orders-(.*");
}

// std::regex overflowed the stack on both (SIGSEGV at --check-config).
TEST(RegexTest, DeepNestingIsRefusedWithoutCrashing) {
  Result<Regex> re =
      Regex::Compile(std::string(20000, '(') + std::string(20000, ')'));
  ASSERT_FALSE(re.ok());
  EXPECT_EQ(re.error().message, "regex too long (40000 bytes, at most 4096)");
  // Within the length limit RE2 compiles it without recursing.
  re = Regex::Compile(std::string(2000, '(') + std::string(2000, ')'));
  ASSERT_TRUE(re.ok()) << re.error().message;
  EXPECT_TRUE(re->FullMatch(""));
}

TEST(RegexTest, LongLiteralIsRefused) {
  Result<Regex> re = Regex::Compile(std::string(100000, 'a'));
  ASSERT_FALSE(re.ok());
  EXPECT_EQ(re.error().message, "regex too long (100000 bytes, at most 4096)");
}

TEST(RegexTest, ProgramSizeIsBounded) {
  // Short, but expands to a huge program: a{1000} nested.
  Result<Regex> re = Regex::Compile("((a{100}){100}){100}");
  ASSERT_FALSE(re.ok());
  EXPECT_EQ(re.error().code, "bad_regex");
}

TEST(RegexTest, MatchingIsLinear) {
  Result<Regex> re = Regex::Compile("(a+)+b");
  ASSERT_TRUE(re.ok());
  EXPECT_FALSE(re->FullMatch(std::string(100000, 'a')));
}

TEST(RegexTest, CopiesShareTheProgram) {
  Result<Regex> re = Regex::Compile("a|b");
  ASSERT_TRUE(re.ok());
  Regex copy = *re;
  EXPECT_TRUE(copy.FullMatch("b"));
}

}  // namespace
}  // namespace failwatch
