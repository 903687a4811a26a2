// Feeds the command-line tests serve on loopback.
#pragma once

#include <string>

namespace newsmirror::test {

// An RSS 2.0 feed of `count` items, newest first, whose titles, links and
// GUIDs carry `tag` ("<tag>文章3", https://news.example/<tag>/3), dated the
// first days of January 2024.
inline std::string feed_with(int count, const std::string& tag) {
  std::string items;
  for (int i = count; i >= 1; --i)
    items += "<item><title>" + tag + "文章" + std::to_string(i) + "</title><link>https://news.example/" + tag + "/" +
             std::to_string(i) + "</link><guid>" + tag + "-" + std::to_string(i) + "</guid><pubDate>Mon, 0" +
             std::to_string(i) + " Jan 2024 10:00:00 GMT</pubDate><description>正文</description></item>";
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss version=\"2.0\"><channel><title>t</title>"
         "<link>https://news.example/</link>" +
         items + "</channel></rss>";
}

}  // namespace newsmirror::test
