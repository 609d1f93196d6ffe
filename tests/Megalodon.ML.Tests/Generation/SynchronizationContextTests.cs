using System.Collections.Concurrent;
using Megalodon.ML.Generation;
using Megalodon.ML.Tests.Probing;
using Megalodon.ML.Transforms;
using Microsoft.Extensions.AI;
using Microsoft.ML;

namespace Megalodon.ML.Tests.Generation;

/// <summary>Generation under a single-threaded SynchronizationContext (as in WinForms, WPF, MAUI) never deadlocks.</summary>
[TestClass]
public sealed class SynchronizationContextTests
{
    [TestMethod]
    public void GenerationCompletesOnASingleThreadedContextWhetherCalledSynchronouslyAwaitedOrBlockedOn()
    {
        var ml = new MLContext(seed: 1);
        using var lm = ProbingTestData.TinyModel(ml);
        using var steering = ml.Transforms.Megalodon().Steer(lm, layer: 1, strength: 4).Fit(ml.Data.LoadFromEnumerable(ProbingTestData.Texts()));
        var greedy = new GenerationOptions { MaxTokens = 8, Temperature = 0 };
        string expected = lm.Generate("The sea", greedy);

        var results = SingleThreadedContext.Run(async () =>
        {
            var found = new List<string>
            {
                lm.Generate("The sea", greedy),                       // synchronous, on the context's thread
                steering.Generate("The sea", greedy),                 // the steered synchronous path the pipeline uses
            };
            var streamed = new System.Text.StringBuilder();
            await foreach (var piece in lm.GenerateAsync("The sea", greedy)) streamed.Append(piece);
            found.Add(streamed.ToString());                           // awaited
            var chat = (IChatClient)lm;
            found.Add(chat.GetResponseAsync([new ChatMessage(ChatRole.User, "The sea")], new ChatOptions { MaxOutputTokens = 8, Temperature = 0 })
                .GetAwaiter().GetResult().Text);                     // blocked on, on the context's thread
            return found;
        });
        Assert.AreEqual(expected, results[0]);
        Assert.AreEqual(expected, results[2]);
        Assert.AreEqual(expected, results[3]);
        Assert.AreEqual(steering.Generate("The sea", greedy), results[1]);
    }

    /// <summary>A SynchronizationContext that runs everything posted to it on one dedicated thread, as a UI thread does.</summary>
    private sealed class SingleThreadedContext : SynchronizationContext
    {
        private readonly BlockingCollection<(SendOrPostCallback Callback, object? State)> _queue = [];

        public override void Post(SendOrPostCallback d, object? state) => _queue.Add((d, state));

        public override void Send(SendOrPostCallback d, object? state) => throw new NotSupportedException();

        public static T Run<T>(Func<Task<T>> body)
        {
            var context = new SingleThreadedContext();
            Task<T>? task = null;
            var thread = new Thread(() =>
            {
                SetSynchronizationContext(context);
                task = body();
                task.ContinueWith(_ => context._queue.CompleteAdding(), TaskScheduler.Default);
                foreach (var (callback, state) in context._queue.GetConsumingEnumerable()) callback(state);
            }) { IsBackground = true };
            thread.Start();
            // A deadlock would hang forever; the guard is far above the few seconds the work takes.
            if (!thread.Join(TimeSpan.FromMinutes(3)))
                Assert.Fail("Generation deadlocked on a single-threaded SynchronizationContext.");
            return task!.GetAwaiter().GetResult();
        }
    }
}
