#include "core/utf8.h"

#include <gtest/gtest.h>

namespace failwatch {
namespace {

TEST(Utf8Test, Validity) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("orders-consumer"));
  EXPECT_TRUE(IsValidUtf8("gr\xC3\xBCn \xE2\x82\xAC \xF0\x9F\x98\x80"));
  EXPECT_FALSE(IsValidUtf8("\xff\xfe"));
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));      // surrogate
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // > U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xE2\x82"));          // truncated
}

TEST(Utf8Test, PrintableRefusesControlCharacters) {
  EXPECT_TRUE(IsPrintableUtf8("a\tb"));
  EXPECT_FALSE(IsPrintableUtf8(std::string("a\0b", 3)));
  EXPECT_FALSE(IsPrintableUtf8("a\nb"));
  EXPECT_FALSE(IsPrintableUtf8("a\x7f"));
  EXPECT_FALSE(IsPrintableUtf8("\xff"));
}

TEST(Utf8Test, AppendValidUtf8ReplacesEachBadByte) {
  std::string out;
  AppendValidUtf8(out, std::string("a\xff\xfe\0z\xC3\xBC", 7));
  EXPECT_EQ(out, "a\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBDz\xC3\xBC");
}

}  // namespace
}  // namespace failwatch
