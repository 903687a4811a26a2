// End to end in headless Chromium against `newsmirror serve` over the test
// mirror (tests/support/test_mirror): a reader opens the home page, a site,
// an article with its image, and finds the article by a Chinese word and by
// its Traditional form. Screenshots of the home and article pages at phone
// and desktop widths go to SCREENSHOT_DIR. Prints one line per check and
// exits non-zero at the first failure.
// Usage: node site_test.js BASE_URL SCREENSHOT_DIR
'use strict';
const path = require('path');
const { chromium } = require('playwright-core');

const [baseUrl, shots] = process.argv.slice(2);
const ARTICLE = '米利访日：美国需要加快向台湾交付武器';

function check(condition, what) {
  if (!condition) throw new Error('FAILED: ' + what);
  console.log('ok: ' + what);
}

async function imageRendered(page) {
  return page.$eval('.content img', (img) => img.complete && img.naturalWidth > 0);
}

async function searchFor(page, words) {
  await page.fill('form.search input[name=q]', words);
  await Promise.all([page.waitForNavigation(), page.click('form.search button')]);
}

async function main() {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    page.on('response', (r) => { if (r.status() >= 400) errors.push(r.status() + ' for ' + r.url()); });

    const home = await page.goto(baseUrl + '/');
    check(home.status() === 200, 'home page answers 200');
    check((await page.title()).includes('newsmirror'), 'home page has the site title');
    check(await page.isVisible(`text=${ARTICLE}`), 'home page lists the newest article');
    await page.screenshot({ path: path.join(shots, 'home-desktop.png'), fullPage: true });

    await Promise.all([page.waitForNavigation(), page.click('.site-list a:text-is("法广")')]);
    check((await page.textContent('h1')) === '法广', 'the site page opens from the home page');

    await Promise.all([page.waitForNavigation(), page.click(`.articles a:text-is("${ARTICLE}")`)]);
    check((await page.textContent('article h1')) === ARTICLE, 'the article opens with its title');
    check((await page.title()).startsWith(ARTICLE), 'the article page is titled after it');
    check(await imageRendered(page), "the article's image is loaded from the mirror and rendered");
    await page.screenshot({ path: path.join(shots, 'article-desktop.png'), fullPage: true });

    await searchFor(page, '台湾');
    check(await page.isVisible(`.results a:text-is("${ARTICLE}")`), 'searching 台湾 finds the article');
    check((await page.$$('.results mark')).length > 0, 'search results highlight the match');
    await searchFor(page, '臺灣');
    check(await page.isVisible(`.results a:text-is("${ARTICLE}")`), 'searching the Traditional 臺灣 finds it too');
    check(await page.isVisible('.results a:text-is("臺灣選舉觀察")'), 'and the article written in Traditional');
    await Promise.all([page.waitForNavigation(), page.click(`.results a:text-is("${ARTICLE}")`)]);
    check((await page.textContent('article h1')) === ARTICLE, 'a search result opens its article');

    const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true });
    await phone.goto(baseUrl + '/');
    const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    check(overflow <= 0, 'the home page fits a phone screen without sideways scrolling');
    await phone.screenshot({ path: path.join(shots, 'home-phone.png'), fullPage: true });
    await phone.goto(page.url());
    check(await imageRendered(phone), 'the article image renders on a phone');
    await phone.screenshot({ path: path.join(shots, 'article-phone.png'), fullPage: true });

    check(errors.length === 0, 'no script or console errors (' + errors.join('; ') + ')');
  } finally {
    await browser.close();
  }
}

main().then(
  () => console.log('browser test passed'),
  (error) => { console.error(error.message); process.exit(1); },
);
