/*
 * reqhash.c: a request's identity, for caches and resumed batches.
 *
 * Two records ask the same thing when their canonical requests are
 * equal: the body req_build makes with the defaults they are sent with
 * (or-send's -m, -s, -o and --free; none gives the record's own
 * request), less "stream" and "stream_options"
 * (they change how the answer travels, not what it is), dumped compact
 * with sorted keys. A shorthand of the wrong kind is left out rather
 * than refused, so a record or-send would refuse still has a hash.
 * The hash is the SHA-256 of that text, in hex: logs keep it, so this
 * definition does not change.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "reqhash.h"
#include "request.h"

jv
req_canonical(jv rec, const struct req_defaults *d)
{
	const char *why;
	jv req = req_build(jv_copy(rec), d, REQ_LENIENT, &why);

	if (!jv_is_valid(req))
		return req;
	req = jv_object_delete(req, jv_string("stream"));
	return jv_object_delete(req, jv_string("stream_options"));
}

int
req_hash_canonical(jv req, char hex[65])
{
	jv text;

	if (!jv_is_valid(req)) {
		jv_free(req);
		hex[0] = '\0';
		return 0;
	}
	text = jv_dump_string(req, JV_PRINT_SORTED);
	sha256_hex(jv_string_value(text),
	    (size_t)jv_string_length_bytes(jv_copy(text)), hex);
	jv_free(text);
	return 1;
}

int
req_hash(jv rec, const struct req_defaults *d, char hex[65])
{
	return req_hash_canonical(req_canonical(rec, d), hex);
}

/* SHA-256 as FIPS 180-4 gives it. */
static const uint32_t K[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b,
	0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01,
	0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7,
	0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc,
	0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152,
	0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
	0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
	0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
	0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08,
	0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f,
	0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
};

#define ROR(x, n)	(((x) >> (n)) | ((x) << (32 - (n))))

static void
sha256_block(uint32_t h[8], const unsigned char *p)
{
	uint32_t w[64], a, b, c, d, e, f, g, hh, t1, t2;
	int i;

	for (i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		    (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
	for (; i < 64; i++)
		w[i] = w[i - 16] + (ROR(w[i - 15], 7) ^ ROR(w[i - 15], 18) ^
		    (w[i - 15] >> 3)) + w[i - 7] + (ROR(w[i - 2], 17) ^
		    ROR(w[i - 2], 19) ^ (w[i - 2] >> 10));
	a = h[0], b = h[1], c = h[2], d = h[3];
	e = h[4], f = h[5], g = h[6], hh = h[7];
	for (i = 0; i < 64; i++) {
		t1 = hh + (ROR(e, 6) ^ ROR(e, 11) ^ ROR(e, 25)) +
		    ((e & f) ^ (~e & g)) + K[i] + w[i];
		t2 = (ROR(a, 2) ^ ROR(a, 13) ^ ROR(a, 22)) +
		    ((a & b) ^ (a & c) ^ (b & c));
		hh = g, g = f, f = e, e = d + t1;
		d = c, c = b, b = a, a = t1 + t2;
	}
	h[0] += a, h[1] += b, h[2] += c, h[3] += d;
	h[4] += e, h[5] += f, h[6] += g, h[7] += hh;
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <cpuid.h>
#include <immintrin.h>

/*
 * The same blocks with the CPU's SHA instructions, where it has them:
 * or-log hashes every record it stores, and this is ten times faster.
 * ABEF and CDGH are the state as those instructions hold it.
 */
__attribute__((target("sha,sse4.1")))
static void
sha256_blocks_ni(uint32_t h[8], const unsigned char *p, size_t n)
{
	const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL,
	    0x0405060700010203ULL);
	__m128i abef, cdgh, t, w[16], m, abef0, cdgh0;
	int i;

	t = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)&h[0]), 0xb1);
	cdgh = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)&h[4]),
	    0x1b);
	abef = _mm_alignr_epi8(t, cdgh, 8);
	cdgh = _mm_blend_epi16(cdgh, t, 0xf0);
	for (; n > 0; n--, p += 64) {
		abef0 = abef, cdgh0 = cdgh;
		for (i = 0; i < 16; i++) {
			if (i < 4)
				w[i] = _mm_shuffle_epi8(_mm_loadu_si128(
				    (const __m128i *)(p + 16 * i)), bswap);
			else
				w[i] = _mm_sha256msg2_epu32(_mm_add_epi32(
				    _mm_sha256msg1_epu32(w[i - 4], w[i - 3]),
				    _mm_alignr_epi8(w[i - 1], w[i - 2], 4)),
				    w[i - 1]);
			m = _mm_add_epi32(w[i],
			    _mm_loadu_si128((const __m128i *)&K[4 * i]));
			cdgh = _mm_sha256rnds2_epu32(cdgh, abef, m);
			abef = _mm_sha256rnds2_epu32(abef, cdgh,
			    _mm_shuffle_epi32(m, 0x0e));
		}
		abef = _mm_add_epi32(abef, abef0);
		cdgh = _mm_add_epi32(cdgh, cdgh0);
	}
	t = _mm_shuffle_epi32(abef, 0x1b);
	cdgh = _mm_shuffle_epi32(cdgh, 0xb1);
	_mm_storeu_si128((__m128i *)&h[0], _mm_blend_epi16(t, cdgh, 0xf0));
	_mm_storeu_si128((__m128i *)&h[4], _mm_alignr_epi8(cdgh, t, 8));
}

static int
have_sha_ni(void)
{
	static int known = -1;
	unsigned a, b, c, d;

	if (known == -1) {
		known = __get_cpuid(1, &a, &b, &c, &d) &&
		    (c & bit_SSSE3) && (c & bit_SSE4_1) &&
		    __get_cpuid_count(7, 0, &a, &b, &c, &d) && (b & bit_SHA);
	}
	return known;
}
#else
#define have_sha_ni()			0
#define sha256_blocks_ni(h, p, n)	(void)0
#endif

static void
sha256_blocks(uint32_t h[8], const unsigned char *p, size_t n)
{
	if (have_sha_ni())
		sha256_blocks_ni(h, p, n);
	else
		for (; n > 0; n--, p += 64)
			sha256_block(h, p);
}

void
sha256_hex(const void *data, size_t n, char hex[65])
{
	static const char digit[] = "0123456789abcdef";
	uint32_t h[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
	    0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };
	const unsigned char *p = data;
	unsigned char last[128], byte;
	uint64_t bits = (uint64_t)n * 8;
	size_t rest, tail, i;

	sha256_blocks(h, p, n / 64);
	p += n / 64 * 64;
	rest = n % 64;
	memset(last, 0, sizeof(last));
	memcpy(last, p, rest);
	last[rest] = 0x80;
	tail = rest < 56 ? 64 : 128;
	for (i = 0; i < 8; i++)
		last[tail - 1 - i] = (unsigned char)(bits >> (8 * i));
	sha256_blocks(h, last, tail / 64);
	for (i = 0; i < 32; i++) {
		byte = (unsigned char)(h[i / 4] >> (24 - 8 * (i % 4)));
		hex[2 * i] = digit[byte >> 4];
		hex[2 * i + 1] = digit[byte & 15];
	}
	hex[64] = '\0';
}
