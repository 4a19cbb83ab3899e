// gzip splicing: pieces compressed separately and spliced in any order
// (repeats allowed) must gunzip to exactly the concatenation of their texts,
// with the trailer's CRC-32 and length right (zlib checks both), and the
// plain body must equal it too (even pieces are kept deflated only, so
// Plain inflates them; odd ones keep their text). Input: a count, then
// length-prefixed piece texts, then the order as indices, the tail being the
// rest.
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
  std::vector<std::string> texts(count);
  for (std::size_t i = 0; i < count; ++i) {
    const std::size_t keep_below = i % 2 == 0 ? 0 : SIZE_MAX;
    texts[i] = in.String();
    FUZZ_CHECK(compressor->Compress(texts[i], pieces[i], keep_below));
    FUZZ_CHECK(pieces[i].size == texts[i].size());
  }
  failwatch::SegmentRun run;
  std::string expected;
  const std::size_t order = count == 0 ? 0 : in.Byte() % 16;
  for (std::size_t i = 0; i < order; ++i) {
    const std::size_t k = in.Byte() % count;
    run.Append(pieces[k]);
    expected += texts[k];
  }
  const std::string tail(in.Rest());
  expected += tail;
  const auto plain = run.Plain(tail);
  FUZZ_CHECK(plain.ok() && *plain == expected);
  FUZZ_CHECK(run.text_size() + tail.size() == expected.size());
  const auto gz = run.Gzip(tail);
  FUZZ_CHECK(gz.ok());
  FUZZ_CHECK(failwatch::test_support::Gunzip(*gz) == expected);
  return 0;
}
