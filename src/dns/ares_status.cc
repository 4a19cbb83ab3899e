#include "dns/ares_status.h"

#include <ares.h>

namespace failwatch {

const char* AresStatusName(int status) {
  switch (status) {
    case ARES_SUCCESS:
      return "SUCCESS";
    case ARES_ENODATA:
      return "ENODATA";
    case ARES_EFORMERR:
      return "EFORMERR";
    case ARES_ESERVFAIL:
      return "ESERVFAIL";
    case ARES_ENOTFOUND:
      return "ENOTFOUND";
    case ARES_ENOTIMP:
      return "ENOTIMP";
    case ARES_EREFUSED:
      return "EREFUSED";
    case ARES_EBADQUERY:
      return "EBADQUERY";
    case ARES_EBADNAME:
      return "EBADNAME";
    case ARES_EBADFAMILY:
      return "EBADFAMILY";
    case ARES_EBADRESP:
      return "EBADRESP";
    case ARES_ECONNREFUSED:
      return "ECONNREFUSED";
    case ARES_ETIMEOUT:
      return "ETIMEOUT";
    case ARES_EOF:
      return "EOF";
    case ARES_EFILE:
      return "EFILE";
    case ARES_ENOMEM:
      return "ENOMEM";
    case ARES_EDESTRUCTION:
      return "EDESTRUCTION";
    case ARES_EBADSTR:
      return "EBADSTR";
    case ARES_EBADFLAGS:
      return "EBADFLAGS";
    case ARES_ENONAME:
      return "ENONAME";
    case ARES_EBADHINTS:
      return "EBADHINTS";
    case ARES_ENOTINITIALIZED:
      return "ENOTINITIALIZED";
    case ARES_ECANCELLED:
      return "ECANCELLED";
    case ARES_ESERVICE:
      return "ESERVICE";
    default:
      return "EUNKNOWN";
  }
}

ErrorKind AresStatusKind(int status) {
  switch (status) {
    case ARES_ETIMEOUT:
    case ARES_ECANCELLED:
      return ErrorKind::kTimeout;
    case ARES_ECONNREFUSED:
      return ErrorKind::kUnavailable;
    case ARES_ENOTFOUND:
    case ARES_ENODATA:
      return ErrorKind::kNotFound;
    case ARES_ESERVFAIL:
    case ARES_EREFUSED:
    case ARES_ENOTIMP:
    case ARES_EFORMERR:
      return ErrorKind::kRejected;
    case ARES_EBADRESP:
    case ARES_EBADNAME:
    case ARES_EBADSTR:
    case ARES_EBADQUERY:
      return ErrorKind::kInvalid;
    default:
      return ErrorKind::kInternal;
  }
}

Error AresError(int status, const std::string& what) {
  return MakeError(AresStatusKind(status), AresStatusName(status),
                   what + ": " + ares_strerror(status));
}

}  // namespace failwatch
