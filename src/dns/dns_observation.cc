#include "dns/dns_observation.h"

namespace failwatch {

AddressSet EndpointDnsState::AddressesSince(WallTime since) const {
  AddressSet out;
  for (const auto& rec : history) {
    if (rec.at >= since && rec.addresses) {
      out.insert(rec.addresses->begin(), rec.addresses->end());
    }
  }
  if (last_ok) out.insert(addresses.begin(), addresses.end());
  return out;
}

}  // namespace failwatch
