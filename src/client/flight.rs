//! A single flight: one running task whose outcome any number of callers await.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use js_sys::Promise;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

use crate::core::Error;
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

    /// Waits for the task and returns its outcome.
    pub async fn wait(&self) -> Result<(), Error> {
        let _ = JsFuture::from(self.done.clone()).await;
        self.outcome
            .borrow()
            .clone()
            .unwrap_or(Err(Error::Disposed))
    }
}
