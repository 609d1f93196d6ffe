namespace Megalodon.Bench.Continual;

/// <summary>
/// Runs the experiment's jobs in their listed order, skipping finished ones, so that any number of worker processes
/// can share one output folder: a worker claims a job by holding an exclusive lock on its claim file for as long as it
/// trains it (the lock goes away with the process, so a crashed worker's job is free again), and takes the first
/// unfinished, unclaimed job whose base rows have finished, waiting while the only jobs left wait for another worker.
/// </summary>
internal sealed class ContinualJobQueue(IReadOnlyList<ContinualJob> jobs, Func<int, string, bool> isDone, string claimFolder)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);

    /// <summary>Runs jobs until every one has finished (here or in another worker).</summary>
    public void RunAll()
    {
        Directory.CreateDirectory(claimFolder);
        while (true)
        {
            var pending = jobs.Where(j => !isDone(j.Seed, j.Id)).ToList();
            if (pending.Count == 0) return;
            if (!RunFirstReady(pending))
            {
                Console.WriteLine($"{DateTime.UtcNow:HH:mm:ss} waiting: {pending.Count} unfinished job(s) are taken by another worker or wait for their base rows");
                Thread.Sleep(Wait);
            }
        }
    }

    private bool RunFirstReady(List<ContinualJob> pending)
    {
        foreach (var job in pending)
        {
            if (!job.Needs.All(n => isDone(job.Seed, n))) continue;
            using var claim = TryClaim(job);
            if (claim is null) continue;
            if (isDone(job.Seed, job.Id)) continue; // finished by another worker since the list was read
            Console.WriteLine($"{DateTime.UtcNow:HH:mm:ss} {job.Key}: started");
            job.Run();
            return true;
        }
        return false;
    }

    private FileStream? TryClaim(ContinualJob job)
    {
        var path = Path.Combine(claimFolder, job.Key.Replace('/', '_') + ".lock");
        try
        {
            // FileShare.None takes an exclusive advisory lock; the OS drops it when the process ends.
            return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            return null;
        }
    }
}
