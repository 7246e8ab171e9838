/// @file
/// Umbrella header: includes every public assent header.
#pragma once

#include "assent/config.hpp"
#include "assent/version.hpp"
#include "assent/bytes.hpp"
#include "assent/crypto/sha256.hpp"
#include "assent/crypto/sha512.hpp"
#include "assent/crypto/ct.hpp"
#include "assent/crypto/random.hpp"
#include "assent/encoding.hpp"
#include "assent/crypto/ed25519.hpp"
#include "assent/json/strict_parse.hpp"
#include "assent/json/access.hpp"
#include "assent/json/jcs.hpp"
#include "assent/json/time.hpp"
#include "assent/spec_hash.hpp"
#include "assent/keys/jwks.hpp"
#include "assent/keys/pem.hpp"
#include "assent/keys/private_key.hpp"
