//! Work spread over all cores, with results in input order so the outcome never
//! depends on timing. Rendering and validation both work file by file, and a large
//! topology has a few very large files, so the costliest items start first.

use std::sync::atomic::{AtomicUsize, Ordering};

/// Applies `work` to every item on up to `available_parallelism` threads, starting
/// with the items of highest `cost`, and returns the results in the order of `items`.
pub fn map_in_parallel<T: Sync, R: Send>(
    items: &[T],
    cost: impl Fn(&T) -> usize,
    work: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    let mut order: Vec<usize> = (0..items.len()).collect();
    order.sort_by_key(|&index| (std::cmp::Reverse(cost(&items[index])), index));
    let workers = std::thread::available_parallelism()
        .map_or(1, |count| count.get())
        .min(items.len())
        .max(1);
    let next = AtomicUsize::new(0);
    let mut results: Vec<(usize, R)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    while let Some(&index) = order.get(next.fetch_add(1, Ordering::Relaxed)) {
                        done.push((index, work(&items[index])));
                    }
                    done
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|handle| handle.join().expect("a worker thread panicked"))
            .collect()
    });
    results.sort_by_key(|(index, _)| *index);
    results.into_iter().map(|(_, result)| result).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_keep_the_input_order_whatever_the_costs() {
        let items: Vec<usize> = (0..100).collect();
        let results = map_in_parallel(&items, |item| item % 7, |item| item * 2);
        assert_eq!(results, (0..100).map(|item| item * 2).collect::<Vec<_>>());
    }
}
