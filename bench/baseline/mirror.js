// The approach of the existing mirror scripts, for comparison: rss-parser
// fetches and parses each feed, and every item is written as a classic
// Markdown file. Written for the benchmark; not part of newsmirror.
//
// usage: node mirror.js SOURCES_JSON BASE_URL OUT_DIR
'use strict';
const fs = require('fs');
const path = require('path');
const Parser = require('rss-parser');

const [sourcesFile, baseUrl, outDir] = process.argv.slice(2);
const sources = JSON.parse(fs.readFileSync(sourcesFile, 'utf8'));
const parser = new Parser({ customFields: { item: ['content:encoded'] } });

let seq = 0;
function fileName(n, title) {
  const safe = (title || '').replace(/\//g, '／').slice(0, 60);
  return safe ? `${n}_${safe}.md` : `${n}.md`;
}

async function mirror(source) {
  const feed = await parser.parseURL(baseUrl + source.path);
  const dir = path.join(outDir, 'articles', source.name);
  fs.mkdirSync(dir, { recursive: true });
  for (const item of feed.items.slice().reverse()) {
    seq += 1;
    const n = 0xFFFFF ^ seq;
    const html = (item['content:encoded'] || item.content || '')
      .split('\n').map((line) => line.trim()).join('');
    const ms = new Date(item.pubDate || Date.now()).getTime();
    const link = new URL(item.link).href;
    const body = `<!--${ms}-->\n[${item.title}](${link})\n------\n\n${html}\n`;
    fs.writeFileSync(path.join(dir, fileName(n, item.title)), body);
  }
}

(async () => {
  // The scripts fetched a handful of feeds at a time.
  const queue = sources.slice();
  const workers = Array.from({ length: 8 }, async () => {
    while (queue.length) await mirror(queue.shift());
  });
  await Promise.all(workers);
  console.log(`baseline: ${seq} articles`);
})().catch((e) => { console.error(e); process.exit(1); });
