namespace MidasEmulator.Faults;

/// <summary>The registered fault rules; <see cref="Pick"/> is on every WeChat-surface call, so no rules costs one read.</summary>
public sealed class FaultRules
{
    private readonly Lock _lock = new();
    private readonly List<FaultRule> _rules = [];
    private int _nextId;
    private volatile bool _anyActive;

    public FaultRule Add(FaultSpec spec)
    {
        lock (_lock)
        {
            var rule = new FaultRule($"f{++_nextId}", spec);
            _rules.Add(rule);
            _anyActive = true;
            return rule;
        }
    }

    /// <summary>Every rule, retired ones included (their hits are what a test asserts on), oldest first.</summary>
    public IReadOnlyList<FaultRule> All
    {
        get
        {
            lock (_lock)
            {
                return [.. _rules];
            }
        }
    }

    public bool Remove(string id)
    {
        lock (_lock)
        {
            var removed = _rules.RemoveAll(r => r.Id == id) > 0;
            _anyActive = _rules.Exists(r => r.Active);
            return removed;
        }
    }

    /// <summary>Deletes every rule (DELETE /admin/faults, POST /admin/reset); ids keep counting so an old id never names a new rule.</summary>
    public void Clear()
    {
        lock (_lock)
        {
            _rules.Clear();
            _anyActive = false;
        }
    }

    /// <summary>
    /// The rule that fires on this request, if any: the oldest active rule in scope that decides to fire.
    /// A rule in scope that lets the request through (skip_first, probability) leaves it to the next one.
    /// </summary>
    public FaultRule? Pick(string endpoint, string? openid, string? billNo)
    {
        if (!_anyActive)
        {
            return null;
        }
        lock (_lock)
        {
            foreach (var rule in _rules)
            {
                if (rule.Active && rule.Spec.Matches(endpoint, openid, billNo) && rule.TryFire())
                {
                    if (!rule.Active)
                    {
                        _anyActive = _rules.Exists(r => r.Active);
                    }
                    return rule;
                }
            }
            return null;
        }
    }
}
