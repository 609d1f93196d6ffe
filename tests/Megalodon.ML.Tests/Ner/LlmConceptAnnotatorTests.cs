using Megalodon.ML.Ner;
using Megalodon.ML.Transforms;
using Microsoft.Extensions.AI;
using Microsoft.ML;

namespace Megalodon.ML.Tests.Ner;

[TestClass]
public sealed class LlmConceptAnnotatorTests
{
    /// <summary>A chat client that answers from a script, in order, and records what it was asked (no network).</summary>
    private sealed class ScriptedChatClient(params string[] replies) : IChatClient
    {
        private int _next;
        public List<List<ChatMessage>> Requests { get; } = [];

        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            Requests.Add(messages.ToList());
            if (_next >= replies.Length) throw new InvalidOperationException($"The script has only {replies.Length} replies.");
            var response = new ChatResponse(new ChatMessage(ChatRole.Assistant, replies[_next++]))
            {
                Usage = new UsageDetails { InputTokenCount = 100, OutputTokenCount = 10 },
            };
            return Task.FromResult(response);
        }

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose() { }
    }

    private const string Sentence = "Miles Davis played in Paris and Paris loved Miles Davis.";

    [TestMethod]
    public void MentionsAreLocatedInTheTextIncludingRepeatsAndWrittenAsConceptJsonl()
    {
        var client = new ScriptedChatClient("""
            ```json
            [{"mention": "Miles Davis", "concept": "jazz musician", "description": "trumpeter"},
             {"mention": "Paris", "concept": "city"}, {"mention": "Paris", "concept": "city"}, {"mention": "Miles Davis", "concept": "jazz musician"}]
            ```
            """);
        var writer = new StringWriter();
        var reports = new List<ConceptAnnotationProgress>();
        var summary = new LlmConceptAnnotator(client).AnnotateAsync([Sentence, "  "], writer, new Progress(reports)).GetAwaiter().GetResult();

        var written = ConceptJsonl.Parse(writer.ToString()).Single();
        Assert.AreEqual(Sentence, written.Text);
        CollectionAssert.AreEqual(new[] { "Miles Davis", "Paris", "Paris", "Miles Davis" }, written.Entities.Select(e => Sentence[e.Start..e.End]).ToArray());
        CollectionAssert.AreEqual(new[] { 0, 22, 32, 44 }, written.Entities.Select(e => e.Start).ToArray());
        Assert.AreEqual("trumpeter", written.Entities[0].Description);
        Assert.AreEqual(new ConceptAnnotationProgress(2, 2, 0, 0, 4, 0, 0, 100, 10), summary);
        Assert.HasCount(2, reports);
        Assert.AreEqual(ChatRole.System, client.Requests[0][0].Role);
        Assert.AreEqual(Sentence, client.Requests[0][1].Text);
    }

    [TestMethod]
    public void AMentionNotInTheTextIsSentBackAndTheCorrectedAnswerIsKept()
    {
        var client = new ScriptedChatClient(
            """[{"mention": "Miles  Davis", "concept": "musician"}]""",
            """[{"mention": "Miles Davis", "concept": "musician"}]""");
        var one = new LlmConceptAnnotator(client).AnnotateOneAsync(Sentence).GetAwaiter().GetResult();
        Assert.AreEqual(2, one.Attempts);
        Assert.AreEqual(0, one.RejectedMentions);
        Assert.AreEqual(200L, one.InputTokens);
        Assert.AreEqual("Miles Davis", Sentence[one.Sentence!.Entities[0].Start..one.Sentence.Entities[0].End]);
        // The retry carries the earlier answer and names the problem.
        var retry = client.Requests[1];
        Assert.HasCount(4, retry);
        StringAssert.Contains(retry[3].Text, "\"Miles  Davis\" does not occur in the text");
    }

    [TestMethod]
    public void AfterTheLastAttemptBadMentionsAreDroppedAndUnreadableSentencesFail()
    {
        var options = new LlmConceptAnnotatorOptions { MaxAttempts = 2 };
        var client = new ScriptedChatClient(
            "I think the entities are Miles Davis and Paris.", "Sorry, no JSON.",
            """[{"mention": "Paris", "concept": "city"}, {"mention": "Rome", "concept": "city"}]""",
            """[{"mention": "Paris", "concept": "city"}, {"mention": "London", "concept": ""}]""");
        var writer = new StringWriter();
        var summary = new LlmConceptAnnotator(client, options).AnnotateAsync([Sentence, Sentence + " Again."], writer).GetAwaiter().GetResult();
        Assert.AreEqual(1, summary.Failed);
        Assert.AreEqual(1, summary.Mentions);
        Assert.AreEqual(1, summary.RejectedMentions);
        Assert.AreEqual(2, summary.Retries);
        Assert.AreEqual(400L, summary.InputTokens);
        var written = ConceptJsonl.Parse(writer.ToString()).Single();
        Assert.AreEqual(Sentence + " Again.", written.Text);
        Assert.AreEqual("Paris", written.Text[written.Entities[0].Start..written.Entities[0].End]);
    }

    [TestMethod]
    public void TheCacheSavesTheSecondRunItsRequestsAndItsOutputFeedsConceptPretrainingData()
    {
        using var scratch = new ScratchFolder();
        var options = new LlmConceptAnnotatorOptions { CachePath = scratch.File("cache.jsonl") };
        var first = new ScriptedChatClient("""[{"mention": "Paris", "concept": "city"}]""", """[{"mention": "Rome", "concept": "city"}]""");
        using (var output = File.CreateText(scratch.File("a.jsonl")))
            new LlmConceptAnnotator(first, options).AnnotateAsync(["I saw Paris.", "I saw Rome."], output).GetAwaiter().GetResult();

        var second = new ScriptedChatClient("""[{"mention": "Oslo", "concept": "city"}]""");
        ConceptAnnotationProgress summary;
        using (var output = File.CreateText(scratch.File("b.jsonl")))
            summary = new LlmConceptAnnotator(second, options).AnnotateAsync(["I saw Paris.", "I saw Oslo.", "I saw Rome."], output).GetAwaiter().GetResult();
        Assert.AreEqual(2, summary.FromCache);
        Assert.HasCount(1, second.Requests);
        Assert.AreEqual(10L, summary.OutputTokens);

        // The JSONL is what concept pretraining reads through the data catalog.
        var data = new MLContext().Data.LoadFromConceptJsonl(scratch.File("b.jsonl"));
        var sentences = data.ReadConceptSentences();
        CollectionAssert.AreEqual(new[] { "I saw Paris.", "I saw Oslo.", "I saw Rome." }, sentences.Select(s => s.Text).ToArray());
        Assert.IsTrue(sentences.All(s => s.Entities.Single().Concept == "city"));
    }

    private sealed class Progress(List<ConceptAnnotationProgress> reports) : IProgress<ConceptAnnotationProgress>
    {
        public void Report(ConceptAnnotationProgress value) => reports.Add(value);
    }
}
