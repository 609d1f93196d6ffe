using Megalodon.ML.Encoder;
using Megalodon.ML.Ner;

namespace Megalodon.ML.Tests.Ner;

/// <summary>A tiny synthetic NER world: "&lt;person&gt; went to &lt;city&gt; today", with fixed names, for fast model tests.</summary>
internal static class EncoderToyData
{
    public static readonly string[] People = ["alice", "bob", "carol", "dave"];
    public static readonly string[] Cities = ["paris", "rome", "oslo", "lima"];

    /// <summary>Sentences with their gold BIO labels (person first, city fourth).</summary>
    public static List<NerSentence> Sentences(int count, int seed = 3)
    {
        var random = new Random(seed);
        var result = new List<NerSentence>();
        for (int i = 0; i < count; i++)
            result.Add(new NerSentence([People[random.Next(People.Length)], "went", "to", Cities[random.Next(Cities.Length)], "today"],
                ["B-person", "O", "O", "B-city", "O"]));
        return result;
    }

    /// <summary>
    /// One 400-word sentence (80 toy sentences run together, about 2,000 bytes) with its gold labels: far past any toy
    /// model's token limit, for the windowed tagging of long sentences (issue 15, item 1).
    /// </summary>
    public static NerSentence LongSentence()
    {
        var parts = Sentences(80, seed: 11);
        return new NerSentence(parts.SelectMany(s => s.Words).ToArray(), parts.SelectMany(s => s.Labels).ToArray());
    }

    /// <summary>The same sentences as concept-annotated text (character spans).</summary>
    public static List<ConceptAnnotatedSentence> ConceptSentences(int count, int seed = 3) =>
        Sentences(count, seed).Select(s => ConceptAnnotatedSentence.FromNerSentence(s)).ToList();

    /// <summary>A tiny one-layer encoder with 8-token chunks (so sentences span several attention chunks).</summary>
    public static BidirectionalEncoder Encoder(int seed = 1)
    {
        TorchSharp.torch.manual_seed(seed);
        return new BidirectionalEncoder(EncoderPresets.Tiny() with { NumLayers = 1, ChunkSize = 8 });
    }
}
