#include "http/gzip.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include "http_test_client.h"

namespace failwatch::http {
namespace {

using testing::Gunzip;

TEST(AcceptsGzipTest, HonoursCodingsAndQValues) {
  EXPECT_TRUE(AcceptsGzip("gzip"));
  EXPECT_TRUE(AcceptsGzip("deflate, gzip;q=1.0, *;q=0.5"));
  EXPECT_TRUE(AcceptsGzip("GZIP"));
  EXPECT_TRUE(AcceptsGzip("x-gzip"));
  EXPECT_TRUE(AcceptsGzip("*"));
  EXPECT_TRUE(AcceptsGzip("gzip;q=0.001"));
  EXPECT_FALSE(AcceptsGzip(""));
  EXPECT_FALSE(AcceptsGzip("identity"));
  EXPECT_FALSE(AcceptsGzip("deflate, br"));
  EXPECT_FALSE(AcceptsGzip("gzip;q=0"));
  EXPECT_FALSE(AcceptsGzip("gzip; q=0.000"));
  EXPECT_FALSE(AcceptsGzip("gzipped"));
}

TEST(GzipCompressTest, RoundTrips) {
  std::string text;
  for (int i = 0; i < 2000; ++i) {
    text += "failwatch_collector_success{collector=\"dns\",target=\"t" +
            std::to_string(i) + "\"} 1\n";
  }
  auto gz = GzipCompress(text);
  ASSERT_TRUE(gz.ok());
  EXPECT_LT(gz->size(), text.size() / 4);
  EXPECT_EQ(static_cast<unsigned char>((*gz)[0]), 0x1f);  // gzip magic
  EXPECT_EQ(static_cast<unsigned char>((*gz)[1]), 0x8b);
  EXPECT_EQ(Gunzip(*gz), text);

  auto empty = GzipCompress("");
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(Gunzip(*empty), "");
}

}  // namespace
}  // namespace failwatch::http
