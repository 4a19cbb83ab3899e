// gzip splicing: pieces compressed separately and spliced in any order
// (repeats allowed) must gunzip to exactly the concatenation of their texts,
// with the trailer's CRC-32 and length right (zlib checks both). Input: a
// count, then length-prefixed piece texts, then the order as indices, the
// tail being the rest.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/gzip_segments.h"
#include "fuzz_bytes.h"
#include "fuzz_check.h"
#include "gunzip.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  static failwatch::SegmentCompressor* compressor =
      new failwatch::SegmentCompressor;  // reused, as RenderFamilies does
  failwatch::fuzz::FuzzBytes in(data, size);
  const std::size_t count = in.Byte() % 8;
  std::vector<failwatch::CompressedText> pieces(count);
  for (auto& p : pieces) {
    FUZZ_CHECK(compressor->Compress(in.String(), p));
  }
  failwatch::SegmentRun run;
  std::string expected;
  const std::size_t order = count == 0 ? 0 : in.Byte() % 16;
  for (std::size_t i = 0; i < order; ++i) {
    const auto& p = pieces[in.Byte() % count];
    run.Append(p);
    expected += p.text;
  }
  const std::string tail(in.Rest());
  expected += tail;
  FUZZ_CHECK(run.Plain(tail) == expected);
  FUZZ_CHECK(run.text_size() + tail.size() == expected.size());
  const auto gz = run.Gzip(tail);
  FUZZ_CHECK(gz.ok());
  FUZZ_CHECK(failwatch::test_support::Gunzip(*gz) == expected);
  return 0;
}
