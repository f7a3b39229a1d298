namespace Grantha.Tests.Extract;

/// <summary>Small pages built in code, in the shape of the Blogger template (no shared files needed).</summary>
public static class TestPages
{
    public const string Host = "thyagaraja-vaibhavam.blogspot.com";

    public static string Blogger(string postBody, string postTitle = "Thyagaraja Kriti - Rama Rama - Raga Todi",
        string published = "2008-01-02T03:04:00+05:30", bool closed = true)
    {
        var page = $"""
            <!DOCTYPE html>
            <html><head>
            <meta content='text/html; charset=UTF-8' http-equiv='Content-Type'/>
            <link href='http://{Host}/2008/01/rama.html' rel='canonical'/>
            <meta content='{postTitle}' property='og:title'/>
            <title>Thyagaraja Vaibhavam: {postTitle}</title>
            <style>body {"{"} font: 14px Arial; {"}"}</style>
            </head><body>
            <div class='date-header'><span>Wednesday, January 2, 2008</span></div>
            <h3 class='post-title entry-title'>{postTitle}</h3>
            <div class='post-body entry-content' id='post-body-123'>
            {postBody}
            <div style='clear: both;'></div>
            </div>
            <div class='post-footer'>
            <abbr class='published' title='{published}'>3:04 AM</abbr>
            <span class='post-labels'>Labels: <a href='http://{Host}/search/label/Todi' rel='tag'>Todi Raga</a></span>
            </div>
            <div class='comments'><h4>1 comments:</h4><dd>nice கீர்த்தனை</dd></div>
            """;
        return closed ? page + "\n</body></html>\n" : page;
    }

    /// <summary>A compact-marker Thyagaraja kriti in Latin, Devanagari and Tamil with a gist.</summary>
    public const string SimpleKritiBody = """
        <b>rAma rAma-tODi</b><br /><br />
        In the kRti ‘rAma rAma’ – rAga tODi (tALa Adi), SrI tyAgarAja prays to Lord SrI rAma.<br /><br />
        <span style="font-size:180%;">P</span> rAma rAma nI <sup>1</sup>vAramu<br />
        A nATi mATa marava (rAma)<br /><br />
        <span style="font-size:180%;">A</span> kAma janaka nI<br />
        nAma smaraNa (rAma)<br /><br />
        <span style="font-size:180%;">C</span> tyAgarAja nuta<br />
        bhAgadhEya (rAma)<br /><br />
        <strong>Gist</strong><br />O Lord rAma! Please protect me.<br /><br />
        <strong>Word-by-word Meaning</strong><br />
        <span style="font-size:180%;">P</span> O rAma (rAma)!<br /><br />
        Notes –<br />Variations –<br /><sup>1</sup> – vAramu – vAramE.<br /><br />
        <span style="font-size:130%;">Devanagari<br /><br />
        प. राम राम नी वारमु<br />
        आ नाटि माट मरव (राम)<br /><br />
        अ. काम जनक नी<br />
        नाम स्मरण (राम)<br /><br />
        च. त्यागराज नुत<br />
        भागधेय (राम)<br /><br />
        Tamil<br />
        க,ச,ட,த,ப - 2-ख छ ठ थ फ; 3-ग ड द ब; 4-घ झ ढ ध भ<br /><br />
        ப. ராம ராம நீ வாரமு<br />
        ஆ நாடி மாட மரவ (ராம)<br /><br />
        அ. காம ஜனக நீ<br />
        நாம ஸ்மரண (ராம)<br /><br />
        ச. த்யாக<sub>3</sub>ராஜ நுத<br />
        பா<sub>4</sub>க<sub>3</sub>தே<sub>4</sub>ய (ராம)<br />
        ராமா! என்னைக் காப்பாய்.<br />
        </span><br />
        Updated on 5 Jan 2009
        """;
}
