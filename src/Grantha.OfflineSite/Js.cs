namespace Grantha.OfflineSite;

/// <summary>The script noise of the page shell: inert JavaScript of plausible size and shape.</summary>
internal static class Js
{
    public static string Analytics(string blogId) => $$"""
          (function() {
            var site = { blogId: '{{blogId}}', sampled: false, queue: [] };
            function record(name, value) {
              if (!site.sampled) { return; }
              site.queue.push({ name: name, value: value, at: new Date().getTime() });
            }
            window.pageTiming = window.pageTiming || { start: new Date().getTime(), record: record };
            if (document.readyState === 'complete') { record('ready', 0); }
            else { window.addEventListener('load', function() { record('load', new Date().getTime() - window.pageTiming.start); }); }
          })();

        """;

    public static string Navbar(string blogId, string home) => $$"""
        window.navbarConfig = {
          blogId: '{{blogId}}',
          homeUrl: '{{home}}',
          searchRoot: '{{home}}search',
          locale: 'en',
          where: 'post',
          theme: 'tan'
        };
        (function() {
          var container = document.getElementById('navbar-iframe-container');
          if (!container) { return; }
          var frame = document.createElement('iframe');
          frame.setAttribute('title', 'navbar');
          frame.setAttribute('height', '30');
          frame.style.border = '0';
          frame.style.width = '100%';
          container.appendChild(frame);
        })();

        """;

    public static string Comments(string postId) => $$"""
            (function() {
              var items = null;
              var config = { postId: '{{postId}}', maxThreadDepth: '2', feed: 'comments/default' };
              var cursor = null;
              var bodyOf = function(entry) {
                var text = (entry && ((entry.content && entry.content.text) || (entry.summary && entry.summary.text))) || '';
                if (entry && entry.removed) {
                  return '<span class="deleted-comment">' + text + '</span>';
                }
                return text;
              };
              var parse = function(data) {
                cursor = null;
                var comments = [];
                if (data && data.entries) {
                  for (var i = 0; i < data.entries.length; i++) {
                    var entry = data.entries[i];
                    var comment = { id: entry.id, body: bodyOf(entry), timestamp: Date.parse(entry.published) + '' };
                    if (entry.author) {
                      comment.author = { name: entry.author.name, profileUrl: entry.author.uri, avatarUrl: entry.author.image };
                    }
                    if (entry.parent) { comment.parentId = entry.parent; }
                    comment.deleteclass = 'item-control blog-admin';
                    comments.push(comment);
                  }
                }
                return comments;
              };
              var hasMore = function() { return !!cursor; };
              var paginator = function(callback) {
                if (!hasMore()) { return; }
                var url = config.feed + '?alt=json&orderby=published&max-results=50&published-min=' + new Date(cursor).toISOString();
                window.loadedComments = function(data) {
                  var parsed = parse(data);
                  cursor = parsed.length < 50 ? null : parseInt(parsed[parsed.length - 1].timestamp, 10) + 1;
                  callback(parsed);
                  window.loadedComments = null;
                };
                var script = document.createElement('script');
                script.type = 'text/javascript';
                script.src = url + '&callback=loadedComments';
                document.getElementsByTagName('head')[0].appendChild(script);
              };
              var replyBox = null;
              var onReply = function(commentId, domId) {
                if (replyBox == null) {
                  replyBox = document.getElementById('comment-editor');
                  if (replyBox != null) { replyBox.height = '250px'; replyBox.style.display = 'block'; }
                }
                if (replyBox) {
                  document.getElementById(domId).insertBefore(replyBox, null);
                  replyBox.src = replyBox.src.split('#')[0] + (commentId ? '&parentID=' + commentId : '');
                }
              };
              var provider = {
                id: config.postId, data: items, loadNext: paginator, hasMore: hasMore, onReply: onReply,
                rendered: true, config: { maxDepth: config.maxThreadDepth }
              };
              var render = function() {
                if (window.goog && window.goog.comments) {
                  window.goog.comments.render(document.getElementById('comment-holder'), provider);
                }
              };
              if (window.goog && window.goog.comments) { render(); }
              else {
                window.goog = window.goog || {};
                window.goog.comments = window.goog.comments || {};
                window.goog.comments.loadQueue = window.goog.comments.loadQueue || [];
                window.goog.comments.loadQueue.push(render);
              }
            })();

        """;

    public static string Extra(int index, string blogId) => (index % 5) switch
    {
        0 => $$"""
            (function() { var share = document.querySelectorAll('.share-button'); for (var i = 0; i < share.length; i++) { share[i].setAttribute('data-blog', '{{blogId}}'); } })();

            """,
        1 => """
            (function() { var toggles = document.querySelectorAll('#ArchiveList .toggle'); for (var i = 0; i < toggles.length; i++) { toggles[i].onclick = function() { this.parentNode.className = this.parentNode.className.indexOf('collapsed') >= 0 ? 'archivedate expanded' : 'archivedate collapsed'; return false; }; } })();

            """,
        2 => """
            window.searchBox = { minLength: 2, onSubmit: function(form) { return form.q.value.length >= this.minLength; } };

            """,
        3 => """
            (function() { var imgs = document.getElementsByTagName('img'); for (var i = 0; i < imgs.length; i++) { if (!imgs[i].alt) { imgs[i].alt = ''; } } })();

            """,
        _ => """
            if (window.pageTiming) { window.pageTiming.record('widgets', new Date().getTime() - window.pageTiming.start); }

            """,
    };

    public static string WidgetManager(string blogId, string blogName, string url, string home) => $$"""
        window['__wavt'] = 'offline';
        _WidgetManager._Init('//www.blogger.com/rearrange?blogID={{blogId}}', '//www.blogger.com/blog/post/edit/{{blogId}}', '{{blogId}}');
        _WidgetManager._SetDataContext([{'name': 'blog', 'data': {'blogId': '{{blogId}}', 'title': '{{blogName.Replace("'", "\\'")}}', 'url': '{{url}}', 'canonicalUrl': '{{url}}', 'homepageUrl': '{{home}}', 'searchUrl': '{{home}}search', 'pageType': 'item', 'encoding': 'UTF-8', 'locale': 'en', 'isMobile': false} }]);
        _WidgetManager._RegisterWidget('_NavbarView', new _WidgetInfo('Navbar1', 'navbar', document.getElementById('Navbar1'), {}, 'displayModeFull'));
        _WidgetManager._RegisterWidget('_HeaderView', new _WidgetInfo('Header1', 'header', document.getElementById('Header1'), {}, 'displayModeFull'));
        _WidgetManager._RegisterWidget('_BlogView', new _WidgetInfo('Blog1', 'main', document.getElementById('Blog1'), {'cmtInteractionsEnabled': false, 'lightboxEnabled': true}, 'displayModeFull'));
        _WidgetManager._RegisterWidget('_BlogSearchView', new _WidgetInfo('BlogSearch1', 'sidebar-right-1', document.getElementById('BlogSearch1'), {}, 'displayModeFull'));
        _WidgetManager._RegisterWidget('_TextView', new _WidgetInfo('Text1', 'sidebar-right-1', document.getElementById('Text1'), {}, 'displayModeFull'));
        _WidgetManager._RegisterWidget('_FollowersView', new _WidgetInfo('Followers1', 'sidebar-right-1', document.getElementById('Followers1'), {}, 'displayModeFull'));
        _WidgetManager._RegisterWidget('_BlogArchiveView', new _WidgetInfo('BlogArchive1', 'sidebar-right-1', document.getElementById('BlogArchive1'), {'languageDirection': 'ltr'}, 'displayModeFull'));
        _WidgetManager._RegisterWidget('_LabelView', new _WidgetInfo('Label1', 'sidebar-right-1', document.getElementById('Label1'), {}, 'displayModeFull'));
        _WidgetManager._RegisterWidget('_ProfileView', new _WidgetInfo('Profile1', 'sidebar-right-1', document.getElementById('Profile1'), {}, 'displayModeFull'));
        _WidgetManager._RegisterWidget('_AttributionView', new _WidgetInfo('Attribution1', 'footer-1', document.getElementById('Attribution1'), {}, 'displayModeFull'));

        """;
}
