using Megalodon.ML.Ner;

namespace Megalodon.ML.Tests.Ner;

[TestClass]
public sealed class ConceptCorpusBuilderTests
{
    /// <summary>Three tiny CrossNER domains and a WNUT-17 file; "Same text" is in ai and music, "LSTM rocks" twice in ai.</summary>
    private static ScratchFolder MakeFolder()
    {
        var scratch = new ScratchFolder();
        string root = scratch.Path;
        void Write(string relative, string text)
        {
            string path = Path.Combine(root, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, text);
        }
        Write("crossner/ai/train.txt", "LSTM\tB-algorithm\nrocks\tO\n\nSame\tO\ntext\tO\n");
        Write("crossner/ai/dev.txt", "Python\tB-programlang\n\nLSTM\tB-algorithm\nrocks\tO\n");
        Write("crossner/music/train.txt", "Björk\tB-musicalartist\n\nSame\tO\ntext\tO\n");
        Write("crossner/music/dev.txt", "Opera\tB-musicgenre\n");
        Write("crossner/science/train.txt", "DNA\tB-chemicalcompound\n");
        Write("crossner/science/dev.txt", "Curie\tB-scientist\n");
        Write("wnut17/train.conll", "@user\tO\nloves\tO\nParis\tB-location\n\t\nok\tO\n");
        return scratch;
    }

    [TestMethod]
    public void KeepsTheHeldOutDomainOutIncludingSharedSentences()
    {
        using var scratch = MakeFolder();
        string root = scratch.Path;
        var corpus = ConceptCorpusBuilder.Build(new ConceptCorpusOptions
        {
            CrossNerFolder = Path.Combine(root, "crossner"),
            Domains = ["ai", "science"],
            HeldOutDomain = "music",
            CrossNerSplits = ["train.txt", "dev.txt"],
            WnutTrainFile = Path.Combine(root, "wnut17", "train.conll"),
        });

        string[] texts = corpus.Sentences.Select(s => s.Text).ToArray();
        CollectionAssert.AreEqual(new[] { "LSTM rocks", "Python", "DNA", "Curie", "@user loves Paris", "ok" }, texts);
        Assert.AreEqual(1, corpus.DroppedAsHeldOut, "'Same text' also occurs in the held-out music domain");
        Assert.AreEqual(1, corpus.DroppedDuplicates, "'LSTM rocks' is in ai train and dev");
        Assert.AreEqual("music", corpus.HeldOutDomain);
        CollectionAssert.AreEqual(
            new[] { "algorithm", "chemical compound", "location", "programming language", "scientist" },
            corpus.MentionsByConcept.Keys.ToArray());
        Assert.AreEqual(2, corpus.SentencesBySource["wnut17/train.conll"]);
        Assert.AreEqual(1, corpus.SentencesBySource["crossner/ai/train.txt"]);
        var paris = corpus.Sentences[4];
        Assert.AreEqual("Paris", paris.SpanText(paris.Entities.Single()));
    }

    [TestMethod]
    public void DefaultsToEveryOtherDomainAndCanDropSentencesWithoutEntities()
    {
        using var scratch = MakeFolder();
        string root = scratch.Path;
        var corpus = ConceptCorpusBuilder.Build(new ConceptCorpusOptions
        {
            CrossNerFolder = Path.Combine(root, "crossner"),
            HeldOutDomain = "science",
            CrossNerSplits = ["train.txt", "dev.txt"],
            IncludeSentencesWithoutEntities = false,
            RemoveDuplicateTexts = false,
        });

        CollectionAssert.AreEqual(
            new[] { "crossner/ai/train.txt", "crossner/ai/dev.txt", "crossner/music/train.txt", "crossner/music/dev.txt" },
            corpus.SentencesBySource.Keys.ToArray());
        Assert.AreEqual(2, corpus.DroppedWithoutEntities);
        Assert.AreEqual(0, corpus.DroppedDuplicates);
        Assert.AreEqual(2, corpus.MentionsByConcept["algorithm"]);
        Assert.IsTrue(corpus.Sentences.All(s => s.Entities.Count > 0));
    }

    [TestMethod]
    public void RefusesToIncludeTheHeldOutDomainOrMissingFolders()
    {
        using var scratch = MakeFolder();
        string root = scratch.Path;
        string crossner = Path.Combine(root, "crossner");
        var both = Assert.ThrowsExactly<ArgumentException>(() => ConceptCorpusBuilder.Build(new ConceptCorpusOptions { CrossNerFolder = crossner, Domains = ["ai", "music"], HeldOutDomain = "music" }));
        StringAssert.Contains(both.Message, "also listed");
        Assert.ThrowsExactly<ArgumentException>(() => ConceptCorpusBuilder.Build(new ConceptCorpusOptions { CrossNerFolder = crossner }));
        Assert.ThrowsExactly<DirectoryNotFoundException>(() => ConceptCorpusBuilder.Build(new ConceptCorpusOptions { CrossNerFolder = crossner, HeldOutDomain = "politics" }));
        Assert.ThrowsExactly<DirectoryNotFoundException>(() => ConceptCorpusBuilder.Build(new ConceptCorpusOptions { CrossNerFolder = crossner, Domains = ["law"], HeldOutDomain = "music" }));
        Assert.ThrowsExactly<FileNotFoundException>(() => ConceptCorpusBuilder.Build(new ConceptCorpusOptions { CrossNerFolder = crossner, Domains = ["ai"], HeldOutDomain = "music" }));
    }

    [TestMethod]
    public void BuildsTheExperimentCorpusFromTheSharedData()
    {
        string crossner = NerSharedData.FolderOrSkip("crossner");
        string wnut = NerSharedData.FileOrSkip("wnut17", "wnut17train.conll");

        var corpus = ConceptCorpusBuilder.Build(new ConceptCorpusOptions
        {
            CrossNerFolder = crossner,
            Domains = ["ai", "literature"],
            HeldOutDomain = "music",
            WnutTrainFile = wnut,
        });

        // 350 + 431 + 100 (ai) + 400 + 416 + 100 (literature) + 3394 (WNUT-17 train) sentences read.
        Assert.AreEqual(5191, corpus.Sentences.Count + corpus.DroppedDuplicates + corpus.DroppedAsHeldOut);
        Assert.AreEqual(1, corpus.DroppedAsHeldOut, "one literature sentence also occurs in the music domain");
        var musicTexts = new[] { "train.txt", "dev.txt", "test.txt" }.SelectMany(f => ConllReader.ReadFile(Path.Combine(crossner, "music", f))).Select(s => s.Text).ToHashSet();
        Assert.IsFalse(corpus.Sentences.Any(s => musicTexts.Contains(s.Text)));
        Assert.IsFalse(corpus.MentionsByConcept.ContainsKey("musical artist"));
        Assert.IsTrue(corpus.MentionsByConcept.ContainsKey("programming language"));
        Assert.IsTrue(corpus.MentionsByConcept.ContainsKey("creative work"));
        // ai 14 types + literature 12 less 5 shared (country, location, misc, organisation, person) + WNUT-17 6 less 3 shared.
        Assert.AreEqual(24, corpus.MentionsByConcept.Count, string.Join(", ", corpus.MentionsByConcept.Keys));
    }
    [TestMethod]
    public void SynonymsOfTheHeldOutTypesCoverNamesAndObviousSynonyms()
    {
        var music = ConceptSynonyms.Of(["musicalartist", "band", "organisation", "misc", "song"]);
        foreach (string name in new[] { "musical artist", "musician", "band", "group", "organization", "corporation", "miscellaneous", "song", "creative work" })
            Assert.Contains(name, music);
        foreach (string name in new[] { "writer", "book", "programming language", "year" })
            Assert.DoesNotContain(name, music);
        var wnut = ConceptSynonyms.Of(["person", "creative-work", "group"]);
        foreach (string name in new[] { "person", "people", "creative work", "song", "album", "band", "organisation" })
            Assert.Contains(name, wnut);
    }

    [TestMethod]
    public void ExcludedConceptsLoseTheirMentionsAndHeldOutFilesTheirSentences()
    {
        using var scratch = MakeFolder();
        string root = scratch.Path;
        var corpus = ConceptCorpusBuilder.Build(new ConceptCorpusOptions
        {
            CrossNerFolder = Path.Combine(root, "crossner"),
            Domains = ["ai", "music", "science"],
            HeldOutFiles = [Path.Combine(root, "wnut17", "train.conll")],
            CrossNerSplits = ["train.txt", "dev.txt"],
            ExcludedConcepts = ConceptSynonyms.Of(["musicalartist", "programlang"]),
        });

        Assert.AreEqual(string.Empty, corpus.HeldOutDomain);
        Assert.IsFalse(corpus.MentionsByConcept.ContainsKey("musical artist"));
        Assert.IsFalse(corpus.MentionsByConcept.ContainsKey("programming language"));
        CollectionAssert.AreEqual(new[] { "musical artist", "programming language" }, corpus.ExcludedMentionsByConcept.Keys.ToArray());
        var bjork = corpus.Sentences.Single(s => s.Text == "Björk");
        Assert.AreEqual(0, bjork.Entities.Count, "the sentence stays, its excluded mention goes");
        Assert.IsTrue(corpus.MentionsByConcept.ContainsKey("music genre"));

        var heldOut = ConceptCorpusBuilder.Build(new ConceptCorpusOptions
        {
            CrossNerFolder = Path.Combine(root, "crossner"),
            Domains = ["ai"],
            HeldOutFiles = [Path.Combine(root, "crossner", "music", "train.txt")],
            ConllFiles = [Path.Combine(root, "wnut17", "train.conll")],
            CrossNerSplits = ["train.txt", "dev.txt"],
        });
        Assert.AreEqual(1, heldOut.DroppedAsHeldOut, "'Same text' is in the held-out file");
        Assert.AreEqual(2, heldOut.SentencesBySource["wnut17/train.conll"]);
    }

    [TestMethod]
    public void TheMusicExperimentCorpusHoldsNoMusicTypeOrSynonym()
    {
        string crossner = NerSharedData.FolderOrSkip("crossner");
        string wnut = NerSharedData.FolderOrSkip("wnut17");
        var musicTypes = new[] { "train.txt", "dev.txt", "test.txt" }.SelectMany(f => ConllReader.ReadFile(Path.Combine(crossner, "music", f)))
            .SelectMany(s => s.Entities().Select(e => e.Type)).Distinct().ToList();
        var excluded = ConceptSynonyms.Of(musicTypes);
        var corpus = ConceptCorpusBuilder.Build(new ConceptCorpusOptions
        {
            CrossNerFolder = crossner,
            Domains = ["ai", "literature"],
            HeldOutDomain = "music",
            WnutTrainFile = Path.Combine(wnut, "wnut17train.conll"),
            ConllFiles = [Path.Combine(wnut, "emerging.dev.conll"), Path.Combine(wnut, "emerging.test.annotated")],
            ExcludedConcepts = excluded,
        });

        Assert.AreEqual(13, musicTypes.Count);
        Assert.IsFalse(corpus.MentionsByConcept.Keys.Any(excluded.Contains), string.Join(", ", corpus.MentionsByConcept.Keys));
        Assert.IsFalse(corpus.Sentences.SelectMany(s => s.Entities).Any(e => excluded.Contains(e.Concept.ToLowerInvariant())));
        // ai 14 + literature 12 + WNUT-17 6 types, less the music types and synonyms (person, location, organisation, country, misc,
        // award, event, corporation, group, creative work), less duplicates: algorithm, product, task, academic field, metric,
        // researcher, conference, programming language, university, writer, book, literary genre, poem, magazine.
        Assert.AreEqual(14, corpus.MentionsByConcept.Count, string.Join(", ", corpus.MentionsByConcept.Keys));
        CollectionAssert.IsSubsetOf(new[] { "person", "location", "organisation", "group", "creative work" }, corpus.ExcludedMentionsByConcept.Keys.ToArray());
    }
}
