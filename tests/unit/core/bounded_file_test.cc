#include "core/bounded_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "../temp_files.h"

namespace failwatch {
namespace {

class BoundedFileTest : public testing::TempFilesTest {};

TEST_F(BoundedFileTest, ReadsARegularFile) {
  auto r = ReadBoundedFile(Write("a", "hello\n"), 6);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(*r, "hello\n");
}

TEST_F(BoundedFileTest, RefusesOneByteTooMany) {
  auto r = ReadBoundedFile(Write("a", "hello\n"), 5);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "file");
  EXPECT_EQ(r.error().message, "exceeds 5 bytes");
}

TEST_F(BoundedFileTest, DevZeroIsNotARegularFile) {
  auto r = ReadBoundedFile("/dev/zero", 1 << 20);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "is not a regular file (a character device)");
}

TEST_F(BoundedFileTest, SymlinkToDevZeroIsRefused) {
  std::string link = (dir_ / "link").string();
  std::filesystem::create_symlink("/dev/zero", link);
  auto r = ReadBoundedFile(link, 1 << 20);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "is not a regular file (a character device)");
}

TEST_F(BoundedFileTest, DirectoryIsRefused) {
  auto r = ReadBoundedFile(dir_.string(), 1 << 20);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "is a directory");
}

TEST_F(BoundedFileTest, FifoIsRefusedWithoutBlocking) {
  std::string fifo = (dir_ / "fifo").string();
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  auto r = ReadBoundedFile(fifo, 1 << 20);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "is not a regular file (a FIFO)");
}

TEST_F(BoundedFileTest, MissingFileGivesStrerror) {
  auto r = ReadBoundedFile((dir_ / "nope").string(), 10);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "No such file or directory");
}

TEST_F(BoundedFileTest, ProcFilesWithSizeZeroAreRead) {
  auto r = ReadBoundedFile("/proc/self/status", 1 << 20);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_NE(r->find("Name:"), std::string::npos);
}

TEST_F(BoundedFileTest, ProcFileOverTheLimitIsRefused) {
  auto r = ReadBoundedFile("/proc/self/status", 16);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "exceeds 16 bytes");
}

}  // namespace
}  // namespace failwatch
