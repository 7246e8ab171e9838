/// @file
/// Umbrella header: includes every public assent header, layer by layer.
#pragma once

#include "assent/config.hpp"
#include "assent/version.hpp"
#include "assent/bytes.hpp"

// 1. crypto
#include "assent/crypto/sha256.hpp"
#include "assent/crypto/sha512.hpp"
#include "assent/crypto/ct.hpp"
#include "assent/crypto/random.hpp"
#include "assent/crypto/ed25519.hpp"
#include "assent/encoding.hpp"

// 2. JSON
#include "assent/json/strict_parse.hpp"
#include "assent/json/access.hpp"
#include "assent/json/jcs.hpp"
#include "assent/json/time.hpp"
#include "assent/spec_hash.hpp"

// 3. wire formats and keys
#include "assent/envelope.hpp"
#include "assent/credential/claims.hpp"
#include "assent/credential/issue.hpp"
#include "assent/keys/key_record.hpp"
#include "assent/keys/key_store.hpp"
#include "assent/keys/signing_key.hpp"
#include "assent/keys/jwks.hpp"
#include "assent/keys/pem.hpp"
#include "assent/keys/private_key.hpp"
#include "assent/keys/signature_check.hpp"

// 4. governance
#include "assent/reason.hpp"
#include "assent/request.hpp"
#include "assent/clock.hpp"
#include "assent/policy/posture.hpp"
#include "assent/policy/policy.hpp"
#include "assent/policy/load.hpp"
#include "assent/policy/key_set_check.hpp"
#include "assent/decision.hpp"
#include "assent/verifier.hpp"

// 5. audit
#include "assent/audit/sink.hpp"
#include "assent/audit/event.hpp"
#include "assent/audit/record.hpp"
#include "assent/audit/memory_sink.hpp"
#include "assent/audit/file_sink.hpp"
#include "assent/audit/checkpoint.hpp"
#include "assent/audit/verify.hpp"
#include "assent/audit/export.hpp"
#include "assent/audit/log_metrics.hpp"
