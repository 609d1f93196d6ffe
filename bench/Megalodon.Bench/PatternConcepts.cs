using System.Text.RegularExpressions;
using Megalodon.ML.Ner;

namespace Megalodon.Bench;

/// <summary>
/// Concepts that an open annotator such as NuNER's would also name and that a regular expression finds reliably: years,
/// dates, times, numbers, percentages, money, URLs, user mentions and hashtags. They add concepts to a corpus built from
/// gold NER types without touching a held-out type (none of these is a CrossNER or WNUT-17 type). A span that overlaps an
/// annotation already there, or an earlier pattern's span, is not added.
/// </summary>
internal static partial class PatternConcepts
{
    private static readonly (string Concept, Regex Pattern)[] Patterns =
    [
        ("url", Url()),
        ("user mention", UserMention()),
        ("hashtag", Hashtag()),
        ("money", Money()),
        ("percentage", Percentage()),
        ("date", Date()),
        ("time", Time()),
        ("year", Year()),
        ("number", Number()),
    ];

    /// <summary>The concept names this class adds.</summary>
    public static IEnumerable<string> Names => Patterns.Select(p => p.Concept);

    /// <summary>The sentence with every pattern span that overlaps nothing already annotated added.</summary>
    public static ConceptAnnotatedSentence Add(ConceptAnnotatedSentence sentence)
    {
        var spans = sentence.Entities.ToList();
        var taken = spans.Select(s => (s.Start, s.End)).ToList();
        foreach (var (concept, pattern) in Patterns)
            foreach (Match match in pattern.Matches(sentence.Text))
            {
                int start = match.Index, end = match.Index + match.Length;
                if (match.Length == 0 || taken.Any(t => t.Start < end && start < t.End)) continue;
                taken.Add((start, end));
                spans.Add(new ConceptSpan(start, end, concept));
            }
        return spans.Count == sentence.Entities.Count ? sentence : new ConceptAnnotatedSentence(sentence.Text, spans);
    }

    [GeneratedRegex(@"\b(?:https?://|www\.)\S+", RegexOptions.IgnoreCase)]
    private static partial Regex Url();
    [GeneratedRegex(@"(?<!\w)@\w+")]
    private static partial Regex UserMention();
    [GeneratedRegex(@"(?<!\w)#\w+")]
    private static partial Regex Hashtag();
    [GeneratedRegex(@"[$€£] ?\d[\d,.]*(?: (?:million|billion|thousand))?|\b\d[\d,.]* (?:dollars|euros|pounds)\b", RegexOptions.IgnoreCase)]
    private static partial Regex Money();
    [GeneratedRegex(@"\b\d+(?:\.\d+)? ?(?:%|percent\b)", RegexOptions.IgnoreCase)]
    private static partial Regex Percentage();
    [GeneratedRegex(@"\b(?:(?:January|February|March|April|May|June|July|August|September|October|November|December) \d{1,2}(?:, \d{4})?|\d{1,2} (?:January|February|March|April|May|June|July|August|September|October|November|December)(?: \d{4})?)\b")]
    private static partial Regex Date();
    [GeneratedRegex(@"\b\d{1,2}(?::\d{2} ?(?:[ap]\.?m\.?)?| ?[ap]\.?m\.?)(?!\w)", RegexOptions.IgnoreCase)]
    private static partial Regex Time();
    [GeneratedRegex(@"(?<![\d.,])(?:1[5-9]\d\d|20\d\d)s?(?![\d.,]\d)\b")]
    private static partial Regex Year();
    [GeneratedRegex(@"(?<![\w.,])\d+(?:[.,]\d+)*(?![\w])")]
    private static partial Regex Number();
}
