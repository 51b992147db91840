// bench/sdk.mjs: the official TypeScript SDK (@openrouter/sdk) making the
// same chat calls as or-send, for bench/batch.sh.
//
//   node bench/sdk.mjs N P    N calls, P at a time (batch.sh times the
//                             whole process, as it does or-send's)
//   node bench/sdk.mjs --one  one call, its text on stdout (like or-send -t)
//
// The key and the server come from the environment, never from argv:
// OPENROUTER_API_KEY, OPENROUTER_BASE_URL (e.g. http://127.0.0.1:PORT).
// A failed call is counted and reported on stderr; any failure exits 1.
import { OpenRouter } from "@openrouter/sdk";

const client = new OpenRouter({
	apiKey: process.env.OPENROUTER_API_KEY,
	serverURL: process.env.OPENROUTER_BASE_URL,
	retryConfig: { strategy: "none" },
});
const prompt = process.env.BENCH_PROMPT ?? "Say hi";

function call() {
	return client.chat.send({
		chatRequest: { messages: [{ role: "user", content: prompt }] },
	});
}

if (process.argv[2] === "--one") {
	const r = await call();
	process.stdout.write(r.choices[0].message.content + "\n");
} else {
	const n = Number(process.argv[2] ?? 10000);
	const p = Number(process.argv[3] ?? 64);
	let next = 0, failed = 0, firstError;
	async function worker() {
		while (next < n) {
			next++;
			try {
				const r = await call();
				if (typeof r.choices?.[0]?.message?.content !== "string")
					throw new Error("no text in the answer");
			} catch (e) {
				failed++;
				firstError ??= e;
			}
		}
	}
	await Promise.all(Array.from({ length: Math.min(p, n) }, worker));
	if (failed) {
		console.error(`sdk.mjs: ${failed} of ${n} calls failed; first: ` +
		    `${firstError?.message ?? firstError}`);
		process.exitCode = 1;
	}
}
