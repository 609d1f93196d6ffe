using Megalodon.ML.Ner;

namespace Megalodon.ML.Tests.Ner;

[TestClass]
public sealed class BioTagsTests
{
    private static string[] L(string labels) => labels.Split(' ');

    [TestMethod]
    public void ValidSequencesDecodeToTheirEntities()
    {
        var spans = BioTags.Decode(L("B-person I-person O B-location B-location I-location O"));

        CollectionAssert.AreEqual(
            new[] { new EntitySpan("person", 0, 2), new EntitySpan("location", 3, 4), new EntitySpan("location", 4, 6) },
            spans.ToArray());
    }

    [TestMethod]
    public void AStrayInsideLabelStartsANewEntity()
    {
        // I-X at the start and I-X after O both start an entity, as seqeval's default does.
        var spans = BioTags.Decode(L("I-person I-person O I-location"));

        CollectionAssert.AreEqual(new[] { new EntitySpan("person", 0, 2), new EntitySpan("location", 3, 4) }, spans.ToArray());
        Assert.IsFalse(BioTags.IsValid(L("I-person I-person O I-location")));
        CollectionAssert.AreEqual(L("B-person I-person O B-location"), BioTags.Repair(L("I-person I-person O I-location")));
    }

    [TestMethod]
    public void AnInsideLabelOfAnotherTypeEndsTheEntityAndStartsItsOwn()
    {
        var spans = BioTags.Decode(L("B-person I-location I-location B-person I-group O"));

        CollectionAssert.AreEqual(
            new[] { new EntitySpan("person", 0, 1), new EntitySpan("location", 1, 3), new EntitySpan("person", 3, 4), new EntitySpan("group", 4, 5) },
            spans.ToArray());
        CollectionAssert.AreEqual(L("B-person B-location I-location B-person B-group O"), BioTags.Repair(L("B-person I-location I-location B-person I-group O")));
    }

    [TestMethod]
    public void TypesWithDashesAndAnEntityAtTheEndAreKept()
    {
        var spans = BioTags.Decode(L("O B-creative-work I-creative-work"));

        CollectionAssert.AreEqual(new[] { new EntitySpan("creative-work", 1, 3) }, spans.ToArray());
        Assert.IsTrue(BioTags.IsValid(L("O B-creative-work I-creative-work")));
    }

    [TestMethod]
    public void EncodingWritesStrictIob2AndRoundTrips()
    {
        var labels = BioTags.Encode([new EntitySpan("band", 2, 5), new EntitySpan("song", 0, 1)], 6);

        CollectionAssert.AreEqual(L("B-song O B-band I-band I-band O"), labels);
        CollectionAssert.AreEqual(new[] { new EntitySpan("song", 0, 1), new EntitySpan("band", 2, 5) }, BioTags.Decode(labels).ToArray());
    }

    [TestMethod]
    public void OverlappingOrOutOfRangeSpansAreRejected()
    {
        var overlap = Assert.ThrowsExactly<ArgumentException>(() => BioTags.Encode([new EntitySpan("a", 0, 2), new EntitySpan("b", 1, 3)], 4));
        StringAssert.Contains(overlap.Message, "overlaps");
        Assert.ThrowsExactly<ArgumentException>(() => BioTags.Encode([new EntitySpan("a", 2, 5)], 4));
        Assert.ThrowsExactly<ArgumentException>(() => BioTags.Encode([new EntitySpan("a", 2, 2)], 4));
    }

    [TestMethod]
    public void UnknownPrefixesAreRejectedWithTheirPosition()
    {
        var error = Assert.ThrowsExactly<FormatException>(() => BioTags.Decode(L("O S-person")));
        StringAssert.Contains(error.Message, "Label 1");
        StringAssert.Contains(error.Message, "S-person");
        Assert.ThrowsExactly<FormatException>(() => BioTag.Parse("B-"));
        Assert.ThrowsExactly<FormatException>(() => BioTag.Parse("o"));
        Assert.AreEqual(new BioTag(BioPrefix.Inside, "x-y"), BioTag.Parse("I-x-y"));
    }

    [TestMethod]
    public void SentencesCheckTheirWordsAndLabels()
    {
        Assert.ThrowsExactly<ArgumentException>(() => new NerSentence([], []));
        var mismatch = Assert.ThrowsExactly<ArgumentException>(() => new NerSentence(["a", "b"], ["O"]));
        StringAssert.Contains(mismatch.Message, "2 words but 1 labels");
        Assert.ThrowsExactly<ArgumentException>(() => new NerSentence(["a", ""], ["O", "O"]));
        var space = Assert.ThrowsExactly<ArgumentException>(() => new NerSentence(["New York"], ["B-location"]));
        StringAssert.Contains(space.Message, "whitespace");
        Assert.ThrowsExactly<ArgumentException>(() => new NerSentence(["a\u00A0b"], ["O"]));
        Assert.ThrowsExactly<ArgumentException>(() => new NerSentence(["a"], ["E-person"]));

        var sentence = new NerSentence(["Zwölf", "rocks", "."], ["B-band", "O", "O"]);
        Assert.AreEqual("Zwölf rocks .", sentence.Text);
        CollectionAssert.AreEqual(new[] { new Range(0, 5), new Range(6, 11), new Range(12, 13) }, sentence.WordRanges().ToArray());
    }

    [TestMethod]
    public void LabelSetsPutOutsideFirstAndBothPrefixesOfEveryType()
    {
        var set = NerLabelSet.FromSentences([new NerSentence(["a", "b"], ["I-zeta", "B-alpha"])]);

        CollectionAssert.AreEqual(new[] { "O", "B-alpha", "I-alpha", "B-zeta", "I-zeta" }, set.Labels.ToArray());
        CollectionAssert.AreEqual(new[] { 4, 1 }, set.Encode(new NerSentence(["a", "b"], ["I-zeta", "B-alpha"])));
        CollectionAssert.AreEqual(new[] { "O", "I-zeta" }, set.Decode([0, 4]));
        var unknown = Assert.ThrowsExactly<ArgumentException>(() => set.Encode(new NerSentence(["a"], ["B-beta"])));
        StringAssert.Contains(unknown.Message, "B-beta");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => set.Decode([5]));
    }
}
