//! A single flight: one running task whose outcome any number of callers await.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use js_sys::Promise;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

use crate::core::Error;

use super::Inner;
use crate::web::js;

/// A shared, running task (cheap to clone).
#[derive(Clone)]
pub struct Flight {
    done: Promise,
    outcome: Rc<RefCell<Option<Result<(), Error>>>>,
}

impl Flight {
    /// Starts `task` on the page's event loop.
    pub fn start(task: Pin<Box<dyn Future<Output = Result<(), Error>>>>) -> Self {
        let (done, resolve) = js::deferred();
        let outcome = Rc::new(RefCell::new(None));
        let slot = outcome.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let result = task.await;
            *slot.borrow_mut() = Some(result);
            let _ = resolve.call0(&JsValue::UNDEFINED);
        });
        Self { done, outcome }
    }

    /// Joins the flight held in `slot` of `inner`, or starts `task` there; the slot is cleared
    /// when the task ends. Resolves with the flight's outcome.
    pub async fn join_or_start(
        inner: &Rc<Inner>,
        slot: fn(&Inner) -> &RefCell<Option<Flight>>,
        task: impl FnOnce(Rc<Inner>) -> Pin<Box<dyn Future<Output = Result<(), Error>>>>,
    ) -> Result<(), Error> {
        let running = slot(inner).borrow().clone();
        let flight = match running {
            Some(flight) => flight,
            None => {
                let task = task(inner.clone());
                let owner = inner.clone();
                let flight = Flight::start(Box::pin(async move {
                    let result = task.await;
                    slot(&owner).borrow_mut().take();
                    result
                }));
                *slot(inner).borrow_mut() = Some(flight.clone());
                flight
            }
        };
        flight.wait().await
    }

    /// Waits for the task and returns its outcome.
    pub async fn wait(&self) -> Result<(), Error> {
        let _ = JsFuture::from(self.done.clone()).await;
        self.outcome
            .borrow()
            .clone()
            .unwrap_or(Err(Error::Disposed))
    }
}
