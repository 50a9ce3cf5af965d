//! Accounts for the login scenario. The provider accepts each authenticator time step once per
//! account (RFC 6238 §5.2), so an account can sign in at most once per 30 s step, and now at the
//! current step or the next (the provider allows one step of skew). The pool hands out the
//! account that has waited longest, with the step to use.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use crate::citizen::{Account, current_step};

pub struct AccountPool {
    queue: Mutex<VecDeque<(Account, i64)>>,
    /// Times a citizen found no account usable and waited for the next step.
    waits: AtomicU64,
}

/// An account lent for one sign-in at `step`.
pub struct Lease {
    pub account: Account,
    pub step: i64,
}

impl AccountPool {
    pub fn new(accounts: Vec<Account>) -> Self {
        AccountPool {
            queue: Mutex::new(accounts.into_iter().map(|a| (a, i64::MIN)).collect()),
            waits: AtomicU64::new(0),
        }
    }

    fn try_acquire(&self) -> Option<Lease> {
        let now = current_step();
        let mut queue = self.queue.lock().ok()?;
        // Accounts go back at the end with their next step, so the front is the one free soonest.
        let (_, next) = queue.front()?;
        let step = (*next).max(now);
        if step > now + 1 {
            return None;
        }
        let (account, _) = queue.pop_front()?;
        Some(Lease { account, step })
    }

    /// The next usable account, waiting for the next time step if every account has used its
    /// steps (the wait is not part of any measured latency, but lowers the throughput).
    pub async fn acquire(&self) -> Lease {
        loop {
            if let Some(lease) = self.try_acquire() {
                return lease;
            }
            self.waits.fetch_add(1, Ordering::Relaxed);
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }

    pub fn release(&self, lease: Lease) {
        if let Ok(mut queue) = self.queue.lock() {
            queue.push_back((lease.account, lease.step + 1));
        }
    }

    pub fn waits(&self) -> u64 {
        self.waits.load(Ordering::Relaxed)
    }
}
