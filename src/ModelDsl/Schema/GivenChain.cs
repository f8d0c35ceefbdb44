using System;
using System.Collections.Generic;

namespace ModelDsl;

/// <summary>
/// ESMM's <c>Given</c> chains over task indices, in one place for the generator's rules, the served
/// outputs (TorchSharp and ONNX) and the trainer's joint labels. <c>givenOf(t)</c> is the index of the
/// task that task <c>t</c> is given, or −1.
/// </summary>
internal static class GivenChain
{
    /// <summary>
    /// <paramref name="task"/>, the task it is given, that task's given and so on, to a task without Given
    /// or to the first task seen before: a cycle, which only an invalid spec has (the generator reports it
    /// when the chain comes back to <paramref name="task"/>).
    /// </summary>
    public static IEnumerable<int> Of(int task, Func<int, int> givenOf)
    {
        var seen = new HashSet<int>();
        for (var t = task; t >= 0; t = givenOf(t))
        {
            yield return t;
            if (!seen.Add(t))
                yield break;
        }
    }

    /// <summary>
    /// Per task in <paramref name="tasks"/>, its own value combined along its chain, root first:
    /// <c>combine(joint(given), own(t))</c> (a product of probabilities or labels, a sum of log-probabilities).
    /// Each task's value is made once, so a shared parent's joint is shared; other tasks are null.
    /// </summary>
    public static T?[] Joint<T>(int count, IEnumerable<int> tasks, Func<int, int> givenOf, Func<int, T> own, Func<T, T, T> combine) where T : class
    {
        var joint = new T?[count];
        foreach (var task in tasks)
        {
            var chain = new List<int>(Of(task, givenOf));
            T? value = null;
            for (var i = chain.Count - 1; i >= 0; i--)
                value = joint[chain[i]] ??= value is null ? own(chain[i]) : combine(value, own(chain[i]));
        }
        return joint;
    }
}
