#include "core/rendered_families.h"

#include <gtest/gtest.h>
#include <prometheus/text_serializer.h>
#include <zlib.h>

#include <sstream>

#include "core/metric_builder.h"

namespace failwatch {
namespace {

std::string Inflate(const std::string& raw) {
  z_stream zs{};
  if (inflateInit2(&zs, -15) != Z_OK) return "<init failed>";
  std::string out;
  char buf[4096];
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(raw.data()));
  zs.avail_in = static_cast<uInt>(raw.size());
  while (zs.avail_in > 0) {
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof(buf);
    const int rc = inflate(&zs, Z_SYNC_FLUSH);
    out.append(buf, sizeof(buf) - zs.avail_out);
    if (rc != Z_OK && rc != Z_BUF_ERROR) break;
  }
  inflateEnd(&zs);
  return out;
}

TEST(RenderFamiliesTest, KeepsHeaderAndSamplesApartAndCompressed) {
  std::vector<prometheus::MetricFamily> in;
  auto lag = FamilyBuilder::Gauge("failwatch_kafka_group_partition_lag",
                                  "Lag of the group on the partition.");
  for (int p = 0; p < 100; ++p) {
    lag.Add({{"cluster", "main"}, {"partition", std::to_string(p)}}, p * 3);
  }
  std::move(lag).MoveTo(in);
  FamilyBuilder::Counter("failwatch_empty_total", "No samples.").MoveTo(in);

  auto out = RenderFamilies(in);
  ASSERT_NE(out, nullptr);
  EXPECT_TRUE(out->compressed);
  ASSERT_EQ(out->families.size(), 2u);
  for (std::size_t i = 0; i < in.size(); ++i) {
    const RenderedFamily& r = out->families[i];
    EXPECT_EQ(r.name, in[i].name);
    EXPECT_EQ(r.type, in[i].type);
    std::ostringstream want;
    prometheus::TextSerializer().Serialize(want, {in[i]});
    EXPECT_EQ(r.header.text + r.samples.text, want.str());
    EXPECT_EQ(Inflate(r.header.deflated), r.header.text);
    EXPECT_EQ(Inflate(r.samples.deflated), r.samples.text);
    EXPECT_EQ(r.samples.crc,
              crc32(0, reinterpret_cast<const Bytef*>(r.samples.text.data()),
                    static_cast<uInt>(r.samples.text.size())));
  }
  EXPECT_EQ(out->families[0].header.text,
            "# HELP failwatch_kafka_group_partition_lag Lag of the group on "
            "the partition.\n"
            "# TYPE failwatch_kafka_group_partition_lag gauge\n");
  EXPECT_TRUE(out->families[1].samples.text.empty());
}

}  // namespace
}  // namespace failwatch
