// passport.authenticate() guards the whole app and runs before cors: a
// preflight carries no token, so the strategy fails it with 401 before
// cors can answer.
const express = require('express');
const passport = require('passport');
const cors = require('cors');

class TokenStrategy extends passport.Strategy {
  constructor() {
    super();
    this.name = 'token';
  }

  authenticate(req) {
    if (req.headers.authorization === 'Bearer live-test') {
      return this.success({ id: 1 });
    }
    return this.fail(401);
  }
}

passport.use(new TokenStrategy());

const app = express();

app.use(passport.initialize());
app.use(passport.authenticate('token', { session: false })); // expect: CORS105
app.use(cors({ origin: 'https://app.example.com', allowedHeaders: ['Content-Type', 'Authorization'] })); // expect: CORS501

app.get('/api/orders', (req, res) => res.json([]));
app.put('/api/orders/:id', (req, res) => res.json({ saved: true }));

app.listen(3000);
