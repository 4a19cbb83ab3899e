#include "dns/ares_status.h"

#include <ares.h>
#include <gtest/gtest.h>

namespace failwatch {
namespace {

TEST(AresStatusTest, NamesAreLabelSafeStatusNames) {
  EXPECT_STREQ(AresStatusName(ARES_ENOTFOUND), "ENOTFOUND");
  EXPECT_STREQ(AresStatusName(ARES_ENODATA), "ENODATA");
  EXPECT_STREQ(AresStatusName(ARES_ETIMEOUT), "ETIMEOUT");
  EXPECT_STREQ(AresStatusName(ARES_ECONNREFUSED), "ECONNREFUSED");
  EXPECT_STREQ(AresStatusName(ARES_ESERVFAIL), "ESERVFAIL");
  EXPECT_STREQ(AresStatusName(ARES_EREFUSED), "EREFUSED");
  EXPECT_STREQ(AresStatusName(9999), "EUNKNOWN");
}

TEST(AresStatusTest, Kinds) {
  EXPECT_EQ(AresStatusKind(ARES_ENOTFOUND), ErrorKind::kNotFound);
  EXPECT_EQ(AresStatusKind(ARES_ETIMEOUT), ErrorKind::kTimeout);
  EXPECT_EQ(AresStatusKind(ARES_ECONNREFUSED), ErrorKind::kUnavailable);
  EXPECT_EQ(AresStatusKind(ARES_ESERVFAIL), ErrorKind::kRejected);
  EXPECT_EQ(AresStatusKind(ARES_EBADRESP), ErrorKind::kInvalid);
  EXPECT_EQ(AresStatusKind(ARES_ENOMEM), ErrorKind::kInternal);
}

TEST(AresStatusTest, ErrorCarriesCodeAndMessage) {
  Error e = AresError(ARES_ENOTFOUND, "A query for db.lab.test");
  EXPECT_EQ(e.code, "ENOTFOUND");
  EXPECT_EQ(e.kind, ErrorKind::kNotFound);
  EXPECT_EQ(e.message.rfind("A query for db.lab.test: ", 0), 0u) << e.message;
}

}  // namespace
}  // namespace failwatch
