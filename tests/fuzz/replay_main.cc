// Replays a libFuzzer corpus without libFuzzer, so the normal (gcc) build
// and the ASan build run every corpus as a unit test: each argument is a
// file or a directory of files, each file one input to
// LLVMFuzzerTestOneInput. A crash or a failed check aborts, failing the test.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size);

namespace {

// libFuzzer's own default -max_len is 4096; corpus files stay well below.
constexpr std::uintmax_t kMaxInputBytes = 1 << 20;

bool Replay(const std::filesystem::path& file) {
  if (std::filesystem::file_size(file) > kMaxInputBytes) {
    std::fprintf(stderr, "replay: %s larger than %ju bytes\n", file.c_str(),
                 kMaxInputBytes);
    return false;
  }
  std::ifstream in(file, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)),
                    std::istreambuf_iterator<char>());
  LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(bytes.data()),
                         bytes.size());
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::filesystem::path> files;
  for (int i = 1; i < argc; ++i) {
    const std::filesystem::path arg(argv[i]);
    if (std::filesystem::is_directory(arg)) {
      for (const auto& e : std::filesystem::directory_iterator(arg)) {
        if (e.is_regular_file()) files.push_back(e.path());
      }
    } else {
      files.push_back(arg);
    }
  }
  std::sort(files.begin(), files.end());
  if (files.empty()) {
    std::fprintf(stderr, "replay: no input files (an empty corpus?)\n");
    return 1;
  }
  for (const auto& f : files) {
    if (!Replay(f)) return 1;
  }
  std::printf("replay: %zu inputs, no failure\n", files.size());
  return 0;
}
