using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace Grantha.OfflineSite;

/// <summary>
/// The Blogger-like page around a post body: head with CSS and feeds, navbar, header, date
/// header, post footer, reader comments, pager, sidebar widgets and 9-13 scripts. The blog
/// archive widget is padded so each page lands on its target size (55-130 KB).
/// </summary>
public static partial class PageShell
{
    static readonly string[] Months = CultureInfo.InvariantCulture.DateTimeFormat.MonthNames;

    static readonly string[] CommentTexts =
    [
        "Thank you for the lucid meaning, Sir.",
        "Very useful. Could you also give the notation of this kRti?",
        "Superb service to music lovers. God bless you!",
        "The word division helps a lot while learning. Thanks.",
        "In the book I have, the second line of the caraNam reads differently.",
        "மிக்க நன்றி ஐயா. மிகவும் பயனுள்ளது.",
        "बहुत सुन्दर व्याख्या, धन्यवाद।",
        "చాలా బాగుంది, ధన్యవాదాలు గురువుగారు.",
        "ತುಂಬಾ ಧನ್ಯವಾದಗಳು, ಸರ್.",
        "വളരെ നന്ദി, സാർ.",
    ];

    static readonly string[] CommentAuthors = ["Anonymous", "Lakshmi", "Ramesh K", "Meena S", "Unknown", "Srinivasan", "Padma R", "Venkat"];

    public static string Render(PagePlan p, string body, SiteRandom rng, out bool fits)
    {
        var host = p.Blog.Host;
        var home = $"http://{host}/";
        var url = p.Url;
        var canonical = "http://" + host + new Uri(url).AbsolutePath;
        var scripts = rng.Next(9, 14);
        var labels = Labels(p);

        var head = new StringBuilder(40 * 1024);
        head.Append("<!DOCTYPE html>\n<html class='v2' dir='ltr' lang='en' xmlns='http://www.w3.org/1999/xhtml' xmlns:b='http://www.google.com/2005/gml/b'>\n<head>\n");
        head.Append("<link href='https://www.blogger.com/static/v1/widgets/css_bundle_v2.css' rel='stylesheet' type='text/css'/>\n");
        head.Append("<meta content='width=1100' name='viewport'/>\n<meta content='text/html; charset=UTF-8' http-equiv='Content-Type'/>\n<meta content='blogger' name='generator'/>\n");
        head.Append($"<link href='{home}favicon.ico' rel='icon' type='image/x-icon'/>\n");
        head.Append($"<link href='{canonical}' rel='canonical'/>\n");
        head.Append($"<link rel=\"alternate\" type=\"application/atom+xml\" title=\"{Esc(p.Blog.Name)} - Atom\" href=\"{home}feeds/posts/default\" />\n");
        head.Append($"<link rel=\"alternate\" type=\"application/rss+xml\" title=\"{Esc(p.Blog.Name)} - RSS\" href=\"{home}feeds/posts/default?alt=rss\" />\n");
        head.Append($"<link rel=\"service.post\" type=\"application/atom+xml\" title=\"{Esc(p.Blog.Name)} - Atom\" href=\"https://www.blogger.com/feeds/{p.BlogId}/posts/default\" />\n");
        head.Append($"<link rel=\"alternate\" type=\"application/atom+xml\" title=\"{Esc(p.Blog.Name)} - Atom\" href=\"{home}feeds/{p.PostId}/comments/default\" />\n");
        head.Append($"<meta content='{canonical}' property='og:url'/>\n");
        head.Append($"<meta content='{Esc(p.PostTitle)}' property='og:title'/>\n");
        head.Append($"<meta content='{Esc(Description(body))}' property='og:description'/>\n");
        head.Append($"<title>{Esc(p.Blog.Name)}: {Esc(p.PostTitle)}</title>\n");
        head.Append("<style id='page-skin-1' type='text/css'><!--\n").Append(Css(rng)).Append("\n--></style>\n");
        head.Append("<script type='text/javascript'>\n").Append(Js.Analytics(p.BlogId)).Append("</script>\n"); // 1
        head.Append("</head>\n<body class='loading'>\n");
        head.Append("<div class='navbar section' id='navbar' name='Navbar'><div class='widget Navbar' data-version='1' id='Navbar1'>");
        head.Append($"<script type=\"text/javascript\">\n{Js.Navbar(p.BlogId, home)}</script>"); // 2
        head.Append($"<div id=\"navbar-iframe-container\"></div></div></div>\n");
        head.Append("<div class='body-fauxcolumns'><div class='fauxcolumn-outer body-fauxcolumn-outer'><div class='cap-top'><div class='cap-left'></div><div class='cap-right'></div></div></div></div>\n");
        head.Append("<div class='content'><div class='content-outer'><div class='content-cap-top cap-top'></div><div class='content-inner'>\n");
        head.Append($"<header><div class='header-outer'><div class='header-inner'><div class='Header widget' id='Header1'><div id='header-inner'><div class='titlewrapper'>\n<h1 class='title'><a href='{home}'>{Esc(p.Blog.Name)}</a></h1>\n</div><div class='descriptionwrapper'><p class='description'><span>{Esc(p.Blog.Description)}</span></p></div></div></div></div></div></header>\n");
        head.Append("<div class='tabs-outer'><div class='tabs-cap-top cap-top'></div><div class='fauxborder-left tabs-fauxborder-left'><div class='region-inner tabs-inner'><div class='tabs no-items section' id='crosscol'></div></div></div></div>\n");
        head.Append("<div class='main-outer'><div class='main-inner columns-fix-width'><div class='columns-inner'><div class='column-center-outer'><div class='column-center-inner'>\n");
        head.Append("<div class='main section' id='main' name='Main'><div class='widget Blog' data-version='1' id='Blog1'>\n<div class='blog-posts hfeed'>\n");
        head.Append($"<div class=\"date-outer\">\n<h2 class='date-header'><span>{LongDate(p.Published)}</span></h2>\n<div class=\"date-posts\">\n");
        head.Append("<div class='post-outer'>\n<div class='post hentry uncustomized-post-template' itemprop='blogPost' itemscope='itemscope' itemtype='http://schema.org/BlogPosting'>\n");
        head.Append($"<meta content='{p.BlogId}' itemprop='blogId'/>\n<meta content='{p.PostId}' itemprop='postId'/>\n<a name='{p.PostId}'></a>\n");
        head.Append($"<h3 class='post-title entry-title' itemprop='name'>\n{Esc(p.PostTitle)}\n</h3>\n");
        head.Append("<div class='post-header'>\n<div class='post-header-line-1'></div>\n</div>\n");
        head.Append($"<div class='post-body entry-content' id='post-body-{p.PostId}' itemprop='description articleBody'>\n");
        head.Append(body).Append('\n');
        head.Append("<div style='clear: both;'></div>\n</div>\n");

        // Post footer: author, timestamp, labels.
        head.Append("<div class='post-footer'>\n<div class='post-footer-line post-footer-line-1'>\n<span class='post-author vcard'>\nPosted by\n");
        head.Append($"<span class='fn' itemprop='author' itemscope='itemscope' itemtype='http://schema.org/Person'><a class='g-profile' href='https://www.blogger.com/profile/{p.BlogId[..17]}' rel='author' title='author profile'><span itemprop='name'>{Esc(p.Blog.Author)}</span></a></span>\n</span>\n");
        var iso = p.Published.ToString("yyyy-MM-dd'T'HH:mm:ssK", CultureInfo.InvariantCulture);
        head.Append($"<span class='post-timestamp'>\nat\n<meta content='{canonical}' itemprop='url'/>\n<a class='timestamp-link' href='{canonical}' rel='bookmark' title='permanent link'><abbr class='published' itemprop='datePublished' title='{iso}'>{LongDate(p.Published)}</abbr></a>\n</span>\n");
        head.Append($"<span class='post-icons'><span class='item-action'><a href='https://www.blogger.com/email-post/{p.BlogId}/{p.PostId}' title='Email Post'><img alt='' class='icon-action' height='13' src='https://resources.blogblog.com/img/icon18_email.gif' width='18'/></a></span></span>\n");
        head.Append("<div class='post-share-buttons goog-inline-block'>");
        foreach (var shareTo in new[] { "email", "blog", "twitter", "facebook", "pinterest" })
            head.Append($"<a class='goog-inline-block share-button sb-{shareTo}' href='https://www.blogger.com/share-post.g?blogID={p.BlogId}&amp;postID={p.PostId}&amp;target={shareTo}' target='_blank' title='Share to {shareTo}'><span class='share-button-link-text'>Share to {shareTo}</span></a>");
        head.Append("</div>\n</div>\n<div class='post-footer-line post-footer-line-2'>\n<span class='post-labels'>\nLabels:\n");
        head.Append(string.Join(",\n", labels.Select(l => $"<a href='{home}search/label/{Uri.EscapeDataString(l)}' rel='tag'>{Esc(l)}</a>")));
        head.Append("\n</span>\n</div>\n<div class='post-footer-line post-footer-line-3'><span class='post-location'></span></div>\n</div>\n</div>\n");

        // Comments.
        var commentCount = rng.Next(0, 7);
        head.Append($"<div class='comments' id='comments'>\n<a name='comments'></a>\n<h4>{(commentCount == 0 ? "No" : commentCount.ToString(CultureInfo.InvariantCulture))} comments:</h4>\n<div class='comments-content'>\n");
        head.Append("<script type='text/javascript'>\n").Append(Js.Comments(p.PostId)).Append("</script>\n"); // 3
        head.Append("<div id='comment-holder'><div class=\"comment-thread toplevel-thread\"><ol id=\"top-ra\">");
        for (var c = 0; c < commentCount; c++)
        {
            var id = (SiteRandom.Hash(c, p.PostId) % 9000000000000000000UL + 1000000000000000000UL).ToString(CultureInfo.InvariantCulture);
            var when = p.Published.AddDays(rng.Next(10, 3000)).AddMinutes(rng.Next(0, 1440));
            head.Append($"<li class=\"comment\" id=\"c{id}\"><div class=\"avatar-image-container\"><img src=\"\" alt=\"\"/></div><div class=\"comment-block\"><div class=\"comment-header\"><cite class=\"user\">{Esc(rng.Pick(CommentAuthors))}</cite><span class=\"icon user \"></span><span class=\"datetime secondary-text\"><a rel=\"nofollow\" href=\"{canonical}?showComment={when.ToUnixTimeMilliseconds()}#c{id}\">{Months[when.Month - 1]} {when.Day}, {when.Year} at {when:h:mm tt}</a></span></div><p class=\"comment-content\">{Esc(rng.Pick(CommentTexts))}</p><span class=\"comment-actions secondary-text\"><a class=\"comment-reply\" target=\"_self\" data-comment-id=\"{id}\">Reply</a></span></div><div class=\"comment-replies\"></div><div class=\"comment-replybox-single\" id=\"c{id}-ce\"></div></li>");
        }
        head.Append("</ol><div id=\"top-continue\" class=\"continue\"><a class=\"comment-reply\" target=\"_self\">Add comment</a></div></div></div>\n</div>\n");
        head.Append($"<div class='comment-form'>\n<a name='comment-form'></a>\n<a href='https://www.blogger.com/comment/frame/{p.BlogId}?po={p.PostId}&amp;hl=en' id='comment-editor-src'></a>\n<iframe allowtransparency='true' class='blogger-iframe-colorize blogger-comment-from-post' frameborder='0' height='410px' id='comment-editor' name='comment-editor' src='' width='100%'></iframe>\n");
        head.Append("<script src='https://www.blogger.com/static/v1/jsbin/comment_from_post_iframe.js' type='text/javascript'></script>\n"); // 4
        head.Append("<script type='text/javascript'>\n      BLOG_CMT_createIframe('https://www.blogger.com/rpc_relay.html');\n    </script>\n</div>\n</div>\n"); // 5

        // Pager and feeds.
        var older = NeighbourUrl(host, p, rng);
        var newer = NeighbourUrl(host, p, rng);
        head.Append($"</div></div>\n</div>\n<div class='blog-pager' id='blog-pager'>\n<span id='blog-pager-newer-link'><a class='blog-pager-newer-link' href='{newer}' id='Blog1_blog-pager-newer-link' title='Newer Post'>Newer Post</a></span>\n<span id='blog-pager-older-link'><a class='blog-pager-older-link' href='{older}' id='Blog1_blog-pager-older-link' title='Older Post'>Older Post</a></span>\n<a class='home-link' href='{home}'>Home</a>\n</div>\n<div class='clear'></div>\n");
        head.Append($"<div class='post-feeds'>\n<div class='feed-links'>\nSubscribe to:\n<a class='feed-link' href='{home}feeds/{p.PostId}/comments/default' target='_blank' type='application/atom+xml'>Post Comments (Atom)</a>\n</div>\n</div>\n</div></div>\n</div>\n</div>\n");

        // Sidebar.
        head.Append("<div class='column-right-outer'>\n<div class='column-right-inner'>\n<aside>\n<div class='sidebar section' id='sidebar-right-1'>\n");
        head.Append($"<div class='widget BlogSearch' data-version='1' id='BlogSearch1'>\n<h2 class='title'>Search This Blog</h2>\n<div class='widget-content'><div id='BlogSearch1_form'><form action='{home}search' class='gsc-search-box' target='_top'><table cellpadding='0' cellspacing='0' class='gsc-search-box'><tbody><tr><td class='gsc-input'><input autocomplete='off' class='gsc-input' name='q' size='10' title='search' type='text' value=''/></td><td class='gsc-search-button'><input class='gsc-search-button' title='search' type='submit' value='Search'/></td></tr></tbody></table></form></div></div>\n<div class='clear'></div>\n</div>\n");
        head.Append($"<div class='widget Text' data-version='1' id='Text1'>\n<h2 class='title'>References</h2>\n<div class='widget-content'>\n<strong><a href=\"{home}2008/01/notation-scheme.html\" target=\"_blank\">Tamil Notation Scheme</a></strong><br /><br /><strong><a href=\"{home}2008/01/alphabetical-list.html\" target=\"_blank\">Alphabetical List of Kritis</a></strong><br /><br />Meanings are the author's own; corrections are welcome in the comments.<br />\n</div>\n<div class='clear'></div>\n</div>\n");
        head.Append("<div class='widget Followers' data-version='1' id='Followers1'>\n<h2 class='title'>Followers</h2>\n<div class='widget-content'><div id='Followers1-wrapper'><div style='margin-right:2px;'><div>");
        head.Append("<script type=\"text/javascript\" src=\"https://apis.google.com/js/platform.js\"></script>\n"); // 6
        head.Append("<div id=\"followers-iframe-container\"></div></div></div></div><div class='clear'></div></div>\n</div>\n");

        var extraScripts = scripts - 8;
        var extras = new StringBuilder();
        for (var e = 0; e < extraScripts; e++)
            extras.Append("<script type='text/javascript'>\n").Append(Js.Extra(e, p.BlogId)).Append("</script>\n");

        var tail = new StringBuilder(8 * 1024);
        tail.Append("</ul>\n</div>\n</div>\n<div class='clear'></div>\n</div>\n");
        tail.Append("<div class='widget Label' data-version='1' id='Label1'>\n<h2>Labels</h2>\n<div class='widget-content cloud-label-widget-content'>\n");
        foreach (var l in labels.Concat(new[] { "Gist", "Meaning", "Notation" }))
            tail.Append($"<span class='label-size label-size-{rng.Next(1, 6)}'><a dir='ltr' href='{home}search/label/{Uri.EscapeDataString(l)}'>{Esc(l)}</a></span>\n");
        tail.Append("<div class='clear'></div>\n</div>\n</div>\n");
        tail.Append($"<div class='widget Profile' data-version='1' id='Profile1'>\n<h2>About Me</h2>\n<div class='widget-content'>\n<dl class='profile-datablock'><dt class='profile-data'><a class='profile-name-link g-profile' href='https://www.blogger.com/profile/{p.BlogId[..17]}' rel='author'>{Esc(p.Blog.Author)}</a></dt></dl>\n<a class='profile-link' href='https://www.blogger.com/profile/{p.BlogId[..17]}' rel='author'>View my complete profile</a>\n<div class='clear'></div>\n</div>\n</div>\n");
        tail.Append("</div>\n</aside>\n</div>\n</div>\n</div>\n<div style='clear: both'></div>\n</div>\n</div>\n</div>\n");
        tail.Append($"<footer><div class='footer-outer'><div class='footer-inner'><div class='foot section' id='footer-1'></div><div class='widget Attribution' data-version='1' id='Attribution1'><div class='widget-content' style='text-align: center;'>Theme images by a friendly artist. Powered by <a href='https://www.blogger.com' target='_blank'>Blogger</a>.</div></div></div></div></footer>\n");
        tail.Append("</div></div>\n");
        tail.Append(extras);
        tail.Append("<script type=\"text/javascript\" src=\"https://www.blogger.com/static/v1/widgets/widgets.js\"></script>\n"); // 7
        tail.Append("<script type='text/javascript'>\n").Append(Js.WidgetManager(p.BlogId, p.Blog.Name, canonical, home)).Append("</script>\n"); // 8
        tail.Append("</body>\n</html>\n");

        var archiveHead = $"<div class='widget BlogArchive' data-version='1' id='BlogArchive1'>\n<h2>Blog Archive</h2>\n<div class='widget-content'>\n<div id='ArchiveList'>\n<ul class='hierarchy'>\n";
        var fixedText = head.ToString() + archiveHead;
        var tailText = tail.ToString();
        var size = Encoding.UTF8.GetByteCount(fixedText) + Encoding.UTF8.GetByteCount(tailText);
        fits = size <= PagePlanner.MaxPageBytes - 1024;

        var archive = new StringBuilder();
        var target = Math.Max(p.TargetBytes, PagePlanner.MinPageBytes + 1024);
        var y = p.Published.Year;
        var m = p.Published.Month;
        while (size + archive.Length < target)
        {
            var entry = ArchiveEntry(host, ref y, ref m, rng);
            if (size + archive.Length + entry.Length > PagePlanner.MaxPageBytes - 512) break;
            archive.Append(entry);
        }
        return fixedText + archive + tailText;
    }

    static string ArchiveEntry(string host, ref int year, ref int month, SiteRandom rng)
    {
        var sb = new StringBuilder();
        sb.Append($"<li class='archivedate collapsed'><a class='toggle' href='javascript:void(0)'><span class='zippy'>&#9658;&#160;</span></a><a class='post-count-link' href='http://{host}/{year}/{month:00}/'>{Months[month - 1]}</a> <span class='post-count' dir='ltr'>({rng.Next(3, 30)})</span>\n<ul class='posts'>\n");
        var posts = rng.Next(2, 6);
        for (var i = 0; i < posts; i++)
        {
            var words = Enumerable.Range(0, rng.Next(2, 4)).Select(_ => PagePlanner.Ascii(SyntheticLyric.MadeUpWord(rng))).ToList();
            var slug = string.Join("-", words).ToLowerInvariant();
            sb.Append($"<li><a href='http://{host}/{year}/{month:00}/kriti-{slug}.html'>Kriti - {string.Join(" ", words)}</a></li>\n");
        }
        sb.Append("</ul>\n</li>\n");
        if (--month == 0) { month = 12; year--; }
        return sb.ToString();
    }

    static string NeighbourUrl(string host, PagePlan p, SiteRandom rng)
    {
        var slug = string.Join("-", Enumerable.Range(0, 3).Select(_ => PagePlanner.Ascii(SyntheticLyric.MadeUpWord(rng)).ToLowerInvariant()));
        return $"http://{host}/{p.Published.Year}/{p.Published.Month:00}/{p.Blog.PostPrefix.ToLowerInvariant().Replace(' ', '-')}-{slug}.html";
    }

    static List<string> Labels(PagePlan p)
    {
        var labels = new List<string>();
        if (p.Ragas is null) labels.Add(PagePlanner.Ascii(p.Raga) + " Raga");
        else labels.Add("Ragamalika");
        labels.Add(PagePlanner.Ascii(p.Title));
        labels.Add(p.Blog.PostPrefix);
        if (p.Deity is not null) labels.Add(PagePlanner.Ascii(p.Deity));
        return labels.Distinct().ToList();
    }

    static string LongDate(DateTimeOffset d) => d.ToString("dddd, MMMM d, yyyy", CultureInfo.InvariantCulture);

    static string Esc(string s) => WebUtility.HtmlEncode(s);

    [GeneratedRegex("<[^>]+>")] private static partial Regex Tag();
    [GeneratedRegex(@"\s+")] private static partial Regex Spaces();

    static string Description(string body)
    {
        var text = WebUtility.HtmlDecode(Tag().Replace(body[..Math.Min(body.Length, 1200)], " "));
        text = Spaces().Replace(text, " ").Trim();
        return text.Length > 150 ? text[..150] + " ..." : text;
    }

    static readonly string[] Selectors =
    [
        "body", ".content-outer", ".content-inner", "a:link", "a:visited", "a:hover", ".body-fauxcolumns .cap-top",
        ".header-inner .Header .titlewrapper", ".header-inner .Header .descriptionwrapper", ".Header h1", ".Header h1 a",
        ".Header .description", ".tabs-inner .section:first-child", ".tabs-inner .widget ul", ".tabs-inner .widget li a",
        ".tabs-inner .widget li.selected a", ".main-inner", ".main-inner .column-center-inner", ".main-inner .column-left-inner",
        ".main-inner .column-right-inner", "h2.date-header", ".post", "h3.post-title", ".post-header", ".post-body",
        ".post-body img", ".post-body .tr-caption-container", ".post-footer", ".post-footer-line", ".comments h4",
        ".comments .comments-content .icon.blog-author", ".comments .comment-thread.inline-thread", ".comments .continue",
        ".blog-pager", ".blog-feeds", ".post-feeds", ".sidebar .widget", ".widget h2", ".widget ul", ".widget .widget-item-control a",
        ".widget .post-body ul", ".widget .post-body ul li", ".BlogArchive #ArchiveList ul li", ".BlogArchive #ArchiveList ul.posts li",
        ".Label .label-size-1", ".Label .label-size-5", ".Profile img", ".profile-name-link", ".footer-outer", ".footer-inner",
        ".section:last-child .widget:last-child", ".mobile .post-outer", ".mobile .main-inner", ".mobile-index-title",
        "#navbar-iframe-container", ".gsc-search-box", "input.gsc-input", ".share-button", ".comment-form", ".status-msg-wrap",
    ];

    static readonly string[] Properties =
    [
        "margin: {0}px {1}px", "padding: {0}px {1}px {2}px", "color: #{3}", "background: #{3} none repeat scroll top left",
        "font: normal normal {0}px Georgia, Utopia, 'Palatino Linotype', Palatino, serif", "border-bottom: 1px dotted #{3}",
        "line-height: 1.{1}", "text-decoration: none", "max-width: 100%", "min-width: {2}px", "float: left", "clear: both",
        "text-align: {4}", "font-size: {0}px", "border: 1px solid #{3}", "-moz-box-shadow: 0 0 {1}px rgba(0, 0, 0, .1)",
        "box-shadow: 0 0 {1}px rgba(0, 0, 0, .1)", "overflow: hidden", "position: relative", "list-style: none",
    ];

    static string Css(SiteRandom rng)
    {
        var sb = new StringBuilder(16 * 1024);
        sb.Append("/*\n-----------------------------------------------\nBlog template (offline look-alike)\n----------------------------------------------- */\n");
        var rules = rng.Next(90, 150);
        for (var r = 0; r < rules; r++)
        {
            if (r % 12 == 0) sb.Append($"/* Section {r / 12 + 1}\n----------------------------------------------- */\n");
            sb.Append(Selectors[r % Selectors.Length]).Append(r >= Selectors.Length ? $" .v{r}" : "").Append(" {\n");
            var props = rng.Next(2, 6);
            for (var k = 0; k < props; k++)
            {
                var prop = string.Format(CultureInfo.InvariantCulture, rng.Pick(Properties),
                    rng.Next(8, 30), rng.Next(0, 20), rng.Next(100, 1000), rng.Next(0, 0xFFFFFF).ToString("x6", CultureInfo.InvariantCulture),
                    rng.Chance(0.5) ? "left" : "center");
                sb.Append(prop).Append(";\n");
            }
            sb.Append("}\n");
        }
        return sb.ToString();
    }
}
